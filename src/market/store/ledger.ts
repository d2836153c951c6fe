/**
 * The per-market ledger in the store. Entries go to `market_ledger` (the payload as the exact JSON text that
 * was hashed); the head (sequence and hash of the last entry) goes to the market row, apart from the entries,
 * so that cutting entries off the end is found too. Call `appendLedger` inside the transaction that writes
 * what the entries record: it locks the market row, so appends of one market are serialised.
 */
import { appendEntries, verifyChain, type LedgerEntry, type LedgerItem, type VerifyResult } from '../../ledger/index.ts';
import type { Id, Store } from '../../store/types.ts';

type Row = Record<string, unknown>;

/** Locks the market row for the rest of the transaction and returns its ledger head. */
export async function lockMarket(tx: Store, marketId: Id): Promise<{ sequence: number; hash: string } | null> {
  const rows = await tx.query<Row>('SELECT ledger_head_sequence, ledger_head_hash FROM markets WHERE id = $1 FOR UPDATE', [marketId]);
  if (!rows[0]) throw new Error(`market ${marketId} vanished`);
  return rows[0].ledger_head_hash ? { sequence: Number(rows[0].ledger_head_sequence), hash: String(rows[0].ledger_head_hash) } : null;
}

/**
 * Appends items to the market's chain; run inside a transaction. Returns the new entries. `locked.head` is what
 * `lockMarket` returned earlier in the same transaction, with nothing appended since: the row is not locked and
 * read again then.
 */
export async function appendLedger(tx: Store, marketId: Id, items: readonly LedgerItem[], locked?: { head: { sequence: number; hash: string } | null }): Promise<LedgerEntry[]> {
  if (items.length === 0) return [];
  const head = locked ? locked.head : await lockMarket(tx, marketId);
  const key = String(marketId);
  const prev: LedgerEntry | null = head ? { marketId: key, sequence: head.sequence, hash: head.hash, time: '', type: '', payload: null, prevHash: '' } : null;
  const entries = appendEntries(key, prev, items);
  const CHUNK = 500;
  for (let i = 0; i < entries.length; i += CHUNK) {
    const part = entries.slice(i, i + CHUNK);
    const params: unknown[] = [];
    const values = part.map((e) => {
      params.push(marketId, e.sequence, e.time, e.type, JSON.stringify(e.payload), e.prevHash, e.hash);
      const b = params.length - 7;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7})`;
    });
    await tx.query(`INSERT INTO market_ledger (market_id, sequence, time, type, payload, prev_hash, hash) VALUES ${values.join(', ')}`, params);
  }
  const last = entries[entries.length - 1];
  await tx.query('UPDATE markets SET ledger_head_sequence = $2, ledger_head_hash = $3 WHERE id = $1', [marketId, last.sequence, last.hash]);
  return entries;
}

function toEntry(r: Row): LedgerEntry {
  let payload: unknown;
  try {
    payload = JSON.parse(String(r.payload));
  } catch {
    payload = { unreadable: String(r.payload) };
  }
  return {
    marketId: String(r.market_id), sequence: Number(r.sequence), time: String(r.time), type: String(r.type),
    payload, prevHash: String(r.prev_hash), hash: String(r.hash),
  };
}

/** Entries in stored order (by sequence), optionally a page of them. */
export async function ledgerEntries(store: Store, marketId: Id, page?: { after?: number; limit?: number }): Promise<LedgerEntry[]> {
  const params: unknown[] = [marketId];
  let sql = 'SELECT * FROM market_ledger WHERE market_id = $1';
  if (page?.after !== undefined) {
    params.push(page.after);
    sql += ` AND sequence > $${params.length}`;
  }
  sql += ' ORDER BY sequence';
  if (page?.limit !== undefined) {
    params.push(page.limit);
    sql += ` LIMIT $${params.length}`;
  }
  return (await store.query<Row>(sql, params)).map(toEntry);
}

/**
 * Recomputes the whole chain of a market against the head kept in its row. The row is share-locked while the
 * entries are read, so appends in flight wait and the head and the entries belong together.
 */
export async function verifyMarketLedger(store: Store, marketId: Id): Promise<VerifyResult> {
  const { head, entries } = await store.transaction(async (tx) => {
    const rows = await tx.query<Row>('SELECT ledger_head_sequence, ledger_head_hash FROM markets WHERE id = $1 FOR SHARE', [marketId]);
    const head = rows[0]?.ledger_head_hash ? { sequence: Number(rows[0].ledger_head_sequence), hash: String(rows[0].ledger_head_hash) } : undefined;
    return { head, entries: await ledgerEntries(tx, marketId) };
  });
  if (!head && entries.length > 0) {
    return { ok: false, length: entries.length, firstBad: { index: 0, sequence: entries[0].sequence, problem: 'head-mismatch', message: 'the market has entries but no recorded head' } };
  }
  return verifyChain(String(marketId), entries, head);
}
