/**
 * How the queue reaches its database: one small runner over a pg pool or over a PGlite instance.
 * pg-boss is given the runner as its `db: {executeSql}`, so both databases take the same code path.
 */
import pg from 'pg';
import type { PGliteInterface } from '@electric-sql/pglite';

export interface SqlResult { rows: any[] }

export interface SqlExecutor {
  /** With values: one parameterised statement. Without: may hold several statements (the last result is returned). */
  executeSql(text: string, values?: unknown[]): Promise<SqlResult>;
}

export interface SqlRunner extends SqlExecutor {
  /** Runs `fn` inside one transaction on one connection; rolls back when it throws. */
  transaction<T>(fn: (db: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Other processes share this database (PostgreSQL): calls `onMessage` for every NOTIFY on `channel`,
   * reconnecting after a lost connection, until the returned function is called. Absent on PGlite.
   */
  listen?(channel: string, onMessage: (payload: string) => void, onError: (err: Error) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

function lastResult(result: SqlResult | SqlResult[]): SqlResult {
  if (Array.isArray(result)) return result[result.length - 1] ?? { rows: [] };
  return result;
}

export function postgresRunner(connectionString: string, maxConnections = 6): SqlRunner {
  const pool = new pg.Pool({ connectionString, max: maxConnections, application_name: 'gridflex-jobs' });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return {
    async executeSql(text, values) {
      const result = await pool.query(text, values as unknown[] | undefined);
      return lastResult(result as unknown as SqlResult | SqlResult[]);
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn({ executeSql: async (text, values) => client.query(text, values as unknown[] | undefined) });
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    listen: (channel, onMessage, onError) => listenWithReconnect(connectionString, channel, onMessage, onError),
    async close() {
      await pool.end();
    },
  };
}

/** One dedicated connection that LISTENs; while it is down, the workers still poll. */
async function listenWithReconnect(connectionString: string, channel: string, onMessage: (payload: string) => void, onError: (err: Error) => void): Promise<() => Promise<void>> {
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString, application_name: 'gridflex-jobs-listen' });
    const lost = (err?: Error) => {
      if (client !== c) return;
      client = null;
      c.end().catch(() => {});
      if (closed) return;
      if (err) onError(err);
      retry = setTimeout(() => void connect(), 1000);
      retry.unref();
    };
    c.on('error', lost);
    c.on('end', () => lost());
    c.on('notification', (msg) => {
      if (msg.channel === channel) onMessage(msg.payload ?? '');
    });
    client = c;
    try {
      await c.connect();
      await c.query(`LISTEN "${channel}"`);
    } catch (err) {
      lost(err as Error);
    }
  };
  await connect();
  return async () => {
    closed = true;
    clearTimeout(retry);
    const c = client;
    client = null;
    await c?.end().catch(() => {});
  };
}

const EXPLICIT_TRANSACTION = /^\s*BEGIN;([\s\S]*)COMMIT;\s*$/i;

/**
 * PGlite has one connection; its own lock serialises our statements with the store's. The caller owns (and
 * closes) it. pg-boss sends some commands as one text `BEGIN; ...; COMMIT;`: a failure inside would leave
 * the only connection in an aborted transaction, refusing every later query (the store's too), so such
 * texts run inside PGlite's own transaction, which rolls back on error.
 */
export function pgliteRunner(db: PGliteInterface): SqlRunner {
  return {
    async executeSql(text, values) {
      if (values && values.length > 0) return db.query(text, values as unknown[]);
      const body = EXPLICIT_TRANSACTION.exec(text)?.[1];
      if (body !== undefined) return lastResult(await db.transaction((tx) => tx.exec(body)));
      return lastResult(await db.exec(text));
    },
    async transaction(fn) {
      return db.transaction((tx) => fn({ executeSql: async (text, values) => tx.query(text, values as unknown[] | undefined) }));
    },
    async close() {},
  };
}
