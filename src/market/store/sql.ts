/** Statement helpers for the market's store code. */
import type { Db } from '../../store/db.ts';
import type { Store } from '../../store/types.ts';

/**
 * Runs a hot statement of fixed text as a prepared statement on PostgreSQL (parsed and planned once per
 * connection); on PGlite, or a store without its `Db`, as a plain query.
 */
export function preparedQuery<R = Record<string, unknown>>(store: Store, sql: string, params: unknown[]): Promise<R[]> {
  const db = (store as Store & { db?: Db }).db;
  return db ? db.query<R>(sql, params, { prepared: true }) : store.query<R>(sql, params);
}
