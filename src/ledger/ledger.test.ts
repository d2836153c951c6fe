import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { canonicalJson } from './canonical.ts';
import { appendEntries, appendEntry, entryHash, genesisHash, verifyChain, type LedgerEntry } from './chain.ts';
import { generateMeterKeys, signReadingBatch, verifyReadingBatch, type ReadingBatch } from './signing.ts';
import { ProblemError } from '../core/errors.ts';

const M = 'market-7';
function chain(n = 6): LedgerEntry[] {
  return appendEntries(M, null, Array.from({ length: n }, (_, k) => ({
    time: `2026-06-01T10:${String(k).padStart(2, '0')}:00Z`,
    type: k % 2 ? 'trade' : 'order',
    payload: { id: `o${k}`, energyKwh: k + 0.5, limitPrice: 0.1 * k, nested: { b: 1, a: [k, 'x'] } },
  })));
}
const firstBad = (r: ReturnType<typeof verifyChain>) => (r.ok ? null : r.firstBad);

describe('canonical JSON', () => {
  it('sorts keys at every level and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: true, y: null }], c: 'é' } })).toBe('{"a":{"c":"é","d":[1,{"y":null,"z":true}]},"b":1}');
  });
  it('gives the same text whatever the key order', () => {
    expect(canonicalJson({ x: 1, y: [2, 3] })).toBe(canonicalJson({ y: [2, 3], x: 1 }));
  });
  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({ a: NaN })).toThrow(/\$\.a is NaN/);
    expect(() => canonicalJson([1, undefined])).toThrow(/\$\[1\] is undefined/);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/Date/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
  });
});

describe('hash chain', () => {
  it('links each entry to the one before, starting from the market genesis', () => {
    const c = chain();
    expect(c[0].prevHash).toBe(genesisHash(M));
    for (let k = 1; k < c.length; k++) expect(c[k].prevHash).toBe(c[k - 1].hash);
    expect(c.map((e) => e.sequence)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(verifyChain(M, c)).toEqual({ ok: true, length: 6, headHash: c[5].hash });
    expect(verifyChain(M, [])).toMatchObject({ ok: true, length: 0 });
  });

  it('finds a changed payload and names the entry', () => {
    const c = chain();
    c[3] = { ...c[3], payload: { ...(c[3].payload as object), energyKwh: 99 } };
    expect(firstBad(verifyChain(M, c))).toMatchObject({ index: 3, sequence: 3, problem: 'content-changed' });
  });

  it('finds a changed time or type', () => {
    const c = chain();
    c[2] = { ...c[2], time: '2026-06-01T09:00:00Z' };
    expect(firstBad(verifyChain(M, c))).toMatchObject({ index: 2, problem: 'content-changed' });
    const d = chain();
    d[4] = { ...d[4], type: 'cancel' };
    expect(firstBad(verifyChain(M, d))).toMatchObject({ index: 4, problem: 'content-changed' });
  });

  it('finds a changed entry whose hash was recomputed, through the next entry\'s link', () => {
    const c = chain();
    const forged = { ...c[2], payload: { id: 'forged' } };
    c[2] = { ...forged, hash: entryHash(forged) };
    expect(firstBad(verifyChain(M, c))).toMatchObject({ index: 2, sequence: 2, problem: 'broken-link' });
  });

  it('finds a removed entry', () => {
    const c = chain();
    c.splice(3, 1);
    expect(firstBad(verifyChain(M, c))).toMatchObject({ index: 3, sequence: 4, problem: 'missing-entry' });
    const d = chain();
    d.shift();
    expect(firstBad(verifyChain(M, d))).toMatchObject({ index: 0, problem: 'missing-entry' });
  });

  it('finds re-ordered entries', () => {
    const c = chain();
    [c[1], c[4]] = [c[4], c[1]];
    expect(firstBad(verifyChain(M, c))).toMatchObject({ index: 1, sequence: 4, problem: 'out-of-order' });
  });

  it('finds renumbered entries after a removal (sequence rewritten, hashes recomputed)', () => {
    const c = chain();
    c.splice(2, 1);
    for (let k = 2; k < c.length; k++) {
      const body = { ...c[k], sequence: k };
      c[k] = { ...body, hash: entryHash(body) };
    }
    expect(firstBad(verifyChain(M, c))).toMatchObject({ index: 1, problem: 'broken-link' });
  });

  it('finds a cut-off tail when the known head is given', () => {
    const c = chain();
    const head = { sequence: c[5].sequence, hash: c[5].hash };
    expect(verifyChain(M, c, head).ok).toBe(true);
    expect(firstBad(verifyChain(M, c.slice(0, 4), head))).toMatchObject({ problem: 'head-mismatch', index: 4 });
  });

  it('refuses another market\'s chain and a chain that does not start at genesis', () => {
    const c = chain();
    expect(firstBad(verifyChain('market-8', c))).toMatchObject({ index: 0, problem: 'wrong-market' });
    const other = appendEntries('market-8', null, [{ time: '2026-06-01T10:00:00Z', type: 'x', payload: 1 }]);
    const spliced = { ...other[0], marketId: M };
    spliced.hash = entryHash(spliced);
    expect(firstBad(verifyChain(M, [spliced]))).toMatchObject({ index: 0, problem: 'broken-link' });
  });

  it('appends after a head and refuses a bad entry', () => {
    const c = chain(2);
    const next = appendEntry(M, c[1], { time: '2026-06-01T11:00:00+02:00', type: 'clearing', payload: { price: 0.2 } });
    expect(next).toMatchObject({ sequence: 2, prevHash: c[1].hash });
    expect(verifyChain(M, [...c, next]).ok).toBe(true);
    expect(() => appendEntry(M, c[1], { time: 'yesterday', type: 'x', payload: 1 })).toThrow(/time/);
    expect(() => appendEntry('other', c[1], { time: '2026-06-01T11:00:00Z', type: 'x', payload: 1 })).toThrow(/market/);
  });
});

describe('tampering (property)', () => {
  const tamper = fc.record({
    n: fc.integer({ min: 2, max: 25 }),
    at: fc.nat(),
    kind: fc.constantFrom('payload', 'rehash', 'remove', 'swap', 'duplicate'),
  });
  it('every change, removal, re-ordering or duplication is found at or before the tampered position', () => {
    fc.assert(
      fc.property(tamper, ({ n, at, kind }) => {
        const c = chain(n);
        const k = at % (n - 1);
        if (kind === 'payload') c[k] = { ...c[k], payload: { tampered: true } };
        if (kind === 'rehash') {
          const body = { ...c[k], payload: { tampered: true } };
          c[k] = { ...body, hash: entryHash(body) };
        }
        if (kind === 'remove') c.splice(k, 1);
        if (kind === 'swap') [c[k], c[k + 1]] = [c[k + 1], c[k]];
        if (kind === 'duplicate') c.splice(k + 1, 0, c[k]);
        const bad = firstBad(verifyChain(M, c));
        expect(bad).not.toBeNull();
        expect(bad!.index).toBeLessThanOrEqual(k + 1);
        expect(bad!.index).toBeGreaterThanOrEqual(k === 0 ? 0 : k - 1);
      }),
    );
  });
});

describe('signed meter readings', () => {
  const batch: ReadingBatch = {
    meterId: 'meter-42',
    site: 'site-a',
    readings: [
      { slotStart: '2026-06-01T10:00:00Z', energyKwh: -1.25 },
      { slotStart: '2026-06-01T10:15:00Z', energyKwh: 0.4 },
    ],
  };
  const keys = generateMeterKeys();

  it('verifies a batch signed with the meter key', () => {
    const signed = signReadingBatch(batch, keys.privateKeyPem);
    expect(verifyReadingBatch(signed, keys.publicKeyPem)).toEqual(batch);
    const reordered = { ...signed, batch: { readings: batch.readings, site: 'site-a', meterId: 'meter-42' } };
    expect(verifyReadingBatch(reordered, keys.publicKeyPem)).toBeTruthy();
  });

  function signatureError(fn: () => unknown): ProblemError {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ProblemError);
      return e as ProblemError;
    }
    throw new Error('expected a ProblemError');
  }

  it('refuses a changed reading with a clear error naming the signature', () => {
    const signed = signReadingBatch(batch, keys.privateKeyPem);
    const changed = { ...signed, batch: { ...batch, readings: [{ ...batch.readings[0], energyKwh: -9 }, batch.readings[1]] } };
    const e = signatureError(() => verifyReadingBatch(changed, keys.publicKeyPem));
    expect(e.field).toBe('signature');
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/meter-42/);
  });

  it('refuses a batch signed with another key, a garbled signature and a non-Ed25519 key', () => {
    const other = generateMeterKeys();
    expect(signatureError(() => verifyReadingBatch(signReadingBatch(batch, other.privateKeyPem), keys.publicKeyPem)).field).toBe('signature');
    expect(signatureError(() => verifyReadingBatch({ batch, signature: 'not base64!' }, keys.publicKeyPem)).field).toBe('signature');
    expect(signatureError(() => verifyReadingBatch({ batch, signature: Buffer.alloc(10).toString('base64') }, keys.publicKeyPem)).field).toBe('signature');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(signatureError(() => verifyReadingBatch(signReadingBatch(batch, keys.privateKeyPem), rsa)).field).toBe('publicKey');
    expect(signatureError(() => verifyReadingBatch(signReadingBatch(batch, keys.privateKeyPem), 'garbage')).field).toBe('publicKey');
  });
});
