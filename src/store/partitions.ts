/**
 * Beliefs are partitioned by UTC month of slot_start. Before a write, the months it touches get their
 * partition (SQL `ensure_belief_partitions`); months known to exist are remembered per store, so a steady
 * stream of writes costs no extra round trip.
 */
import type { Db } from './db.ts';
import { ts } from './db.ts';

function monthKeys(minMs: number, maxMs: number): string[] {
  const keys: string[] = [];
  const d = new Date(minMs);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth();
  const end = new Date(maxMs);
  const endKey = end.getUTCFullYear() * 12 + end.getUTCMonth();
  while (y * 12 + m <= endKey && keys.length < 240) {
    keys.push(`${y}-${m}`);
    if (++m === 12) {
      m = 0;
      y++;
    }
  }
  return keys;
}

/** Makes sure the monthly partitions for slots in [minMs, maxMs] exist. */
export async function ensurePartitions(db: Db, minMs: number, maxMs: number): Promise<void> {
  const keys = monthKeys(minMs, maxMs);
  if (keys.every((k) => db.shared.months.has(k))) return;
  await db.query('SELECT ensure_belief_partitions($1::timestamptz, $2::timestamptz)', [ts(minMs), ts(maxMs)]);
  // Inside a caller's transaction the partitions vanish if it rolls back: remember them only when committed.
  if (!db.inTransaction) for (const k of keys) db.shared.months.add(k);
}
