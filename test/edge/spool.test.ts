import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool } from '../../src/edge/spool.ts';
import type { ReadingsMsg } from '../../src/edge/messages.ts';

const T0 = Date.UTC(2024, 0, 1);
function slot(i: number): ReadingsMsg {
  const start = T0 + i * 300_000;
  return { kind: 'readings', id: `s1-r-${start}`, siteId: 1, createdAt: new Date(start + 300_000).toISOString(), start: new Date(start).toISOString(), resolution: 'PT30S', channels: [{ channel: 'battery.soc', quantity: 'soc', unit: 'kWh', values: Array.from({ length: 10 }, (_, k) => i + k / 10) }] };
}

describe('spool on disk', () => {
  it('keeps unacknowledged messages in order across a restart and skips a torn last line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-spool-'));
    const a = new Spool(dir);
    for (let i = 0; i < 5; i++) a.append(slot(i));
    a.ack(slot(1).id);
    a.ack(slot(3).id);
    const seg = readdirSync(dir).find((f) => f.startsWith('seg-'))!;
    appendFileSync(join(dir, seg), '{"kind":"readings","id":"torn'); // a crash in the middle of a write
    const b = new Spool(dir);
    expect(b.pending().map((m) => m.id)).toEqual([0, 2, 4].map((i) => slot(i).id));
    b.append(slot(5));
    expect(b.pending().map((m) => m.id)).toEqual([0, 2, 4, 5].map((i) => slot(i).id));
  });

  it('removes every file once everything is acknowledged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-spool-'));
    const s = new Spool(dir);
    for (let i = 0; i < 300; i++) s.append(slot(i)); // more than one segment
    expect(readdirSync(dir).filter((f) => f.startsWith('seg-')).length).toBe(2);
    for (let i = 0; i < 300; i++) s.ack(slot(i).id);
    expect(readdirSync(dir).filter((f) => f.startsWith('seg-') || f === 'acked.log')).toEqual([]);
    expect(new Spool(dir).size).toBe(0);
  });

  it('compacts a long backlog on disk, and a restart reads the compacted one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-spool-'));
    const s = new Spool(dir);
    for (let i = 0; i < 288 * 3; i++) s.append(slot(i)); // three days
    s.compact(T0 + 3 * 86_400_000 + 1, { fullMs: 86_400_000, fiveMinuteMs: 7 * 86_400_000, hourlyMs: 28 * 86_400_000, maxBytes: 1e9 });
    const after = new Spool(dir).pending();
    expect(after.filter((m) => m.resolution === 'PT5M')).toHaveLength(288 * 2);
    expect(after.filter((m) => m.resolution === 'PT30S')).toHaveLength(288);
    expect(after.map((m) => Date.parse(m.start))).toEqual([...after.map((m) => Date.parse(m.start))].sort((x, y) => x - y));
  });
});
