/**
 * A per-market append-only hash chain. Each entry carries its sequence number (0, 1, 2, ...), time, type and
 * payload, the hash of the entry before it, and its own hash: SHA-256 (hex) of the canonical JSON of
 * `{marketId, sequence, time, type, payload, prevHash}`. The first entry's prevHash is the genesis hash of
 * the market, SHA-256 of `gridflex-ledger:<marketId>`, so a chain cannot be passed off as another market's.
 *
 * `verifyChain` recomputes every hash and link and names the first entry that does not fit: a changed entry
 * (its hash no longer matches its content), a changed-and-rehashed entry (the next entry's prevHash no longer
 * matches), a removed entry (a gap in the sequence), re-ordered entries (a sequence out of order). Cutting
 * entries off the end leaves a valid shorter chain: give the last known head (`expectHead`) to catch that.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.ts';

export interface LedgerEntry {
  marketId: string;
  sequence: number;
  /** ISO 8601 with offset. */
  time: string;
  type: string;
  payload: unknown;
  prevHash: string;
  hash: string;
}

export type LedgerProblem = 'content-changed' | 'broken-link' | 'missing-entry' | 'out-of-order' | 'wrong-market' | 'head-mismatch' | 'malformed';

export type VerifyResult =
  | { ok: true; length: number; headHash: string }
  | { ok: false; length: number; firstBad: { index: number; sequence: number | null; problem: LedgerProblem; message: string } };

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function genesisHash(marketId: string): string {
  return sha256Hex(`gridflex-ledger:${marketId}`);
}

export function entryHash(e: Omit<LedgerEntry, 'hash'>): string {
  return sha256Hex(canonicalJson({ marketId: e.marketId, sequence: e.sequence, time: e.time, type: e.type, payload: e.payload, prevHash: e.prevHash }));
}

/** The entry that follows `head` (or starts the chain when head is null). */
export function appendEntry(marketId: string, head: LedgerEntry | null, item: { time: string; type: string; payload: unknown }): LedgerEntry {
  if (head && head.marketId !== marketId) throw new Error(`ledger: head belongs to market ${head.marketId}, not ${marketId}`);
  if (typeof item.type !== 'string' || item.type === '') throw new TypeError('ledger: an entry needs a type');
  if (typeof item.time !== 'string' || Number.isNaN(Date.parse(item.time))) throw new TypeError('ledger: an entry needs an ISO 8601 time');
  const body = { marketId, sequence: head ? head.sequence + 1 : 0, time: item.time, type: item.type, payload: item.payload, prevHash: head ? head.hash : genesisHash(marketId) };
  return { ...body, hash: entryHash(body) };
}

/** Appends many items after `head`, returning the new entries. */
export function appendEntries(marketId: string, head: LedgerEntry | null, items: readonly { time: string; type: string; payload: unknown }[]): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  let h = head;
  for (const item of items) out.push((h = appendEntry(marketId, h, item)));
  return out;
}

/** Checks a whole chain, from its first entry, in the order given. */
export function verifyChain(marketId: string, entries: readonly LedgerEntry[], expectHead?: { sequence: number; hash: string }): VerifyResult {
  let prevHash = genesisHash(marketId);
  for (let k = 0; k < entries.length; k++) {
    const e = entries[k];
    const bad = (problem: LedgerProblem, message: string): VerifyResult => ({
      ok: false,
      length: entries.length,
      firstBad: { index: k, sequence: typeof e?.sequence === 'number' ? e.sequence : null, problem, message },
    });
    if (!e || typeof e !== 'object' || typeof e.sequence !== 'number' || typeof e.hash !== 'string') return bad('malformed', `entry ${k} is not a ledger entry`);
    if (e.marketId !== marketId) return bad('wrong-market', `entry ${e.sequence} belongs to market ${e.marketId}`);
    if (e.sequence !== k) {
      const problem = e.sequence > k && !entries.slice(0, k).some((x) => x.sequence === k) && !entries.slice(k).some((x) => x.sequence === k) ? 'missing-entry' : 'out-of-order';
      return bad(problem, problem === 'missing-entry' ? `entry ${k} is missing (found ${e.sequence} in its place)` : `entry ${e.sequence} stands at position ${k}`);
    }
    let recomputed: string;
    try {
      recomputed = entryHash(e);
    } catch (err) {
      return bad('malformed', `entry ${k}: ${(err as Error).message}`);
    }
    if (recomputed !== e.hash) return bad('content-changed', `entry ${k} was changed: its content no longer matches its hash`);
    if (e.prevHash !== prevHash) {
      if (k === 0) return bad('broken-link', "entry 0 does not start this market's chain (its prevHash is not the market's genesis hash)");
      const before = entries[k - 1];
      return {
        ok: false,
        length: entries.length,
        firstBad: { index: k - 1, sequence: before.sequence, problem: 'broken-link', message: `the chain breaks between entries ${k - 1} and ${k}: entry ${k - 1} was changed after ${k} was written, or entries between them were removed (entry ${k} records another hash before it)` },
      };
    }
    prevHash = e.hash;
  }
  if (expectHead) {
    const last = entries[entries.length - 1];
    if (!last || last.sequence !== expectHead.sequence || last.hash !== expectHead.hash) {
      return {
        ok: false,
        length: entries.length,
        firstBad: { index: entries.length, sequence: entries.length, problem: 'head-mismatch', message: `the chain ends at entry ${entries.length - 1}, but the known head is entry ${expectHead.sequence}: entries were cut off or replaced` },
      };
    }
  }
  return { ok: true, length: entries.length, headHash: entries.length ? entries[entries.length - 1].hash : prevHash };
}
