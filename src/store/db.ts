/**
 * The thin layer under the repositories: one `Db` interface over a pg Pool (or one of its clients inside a
 * transaction) and over PGlite. Repositories only ever see a `Db`.
 */
import type { PGlite, Transaction as PGliteTx } from '@electric-sql/pglite';
import type pg from 'pg';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';

export interface QueryOptions { prepared?: boolean }

/** The name of a prepared statement: the same text gets the same name on every connection. */
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `gf_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    if (statementNames.size > 1000) statementNames.clear();
    statementNames.set(sql, name);
  }
  return name;
}

function pgQuery(sql: string, params: unknown[] | undefined, opts: QueryOptions | undefined): pg.QueryConfig {
  return opts?.prepared ? { text: sql, values: params, name: statementName(sql) } : { text: sql, values: params };
}

export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs one statement. `prepared`: keep it as a prepared statement on each PostgreSQL connection, so that
   * it is parsed and planned once, not per call; for hot statements whose text is one of few shapes.
   */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<R[]>;
  /** Runs a script of several statements without parameters. */
  exec(sql: string): Promise<void>;
  /** Runs fn in one transaction; inside a transaction it runs fn in a savepoint. */
  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** COPY ... FROM STDIN with chunks of the given format (PostgreSQL only; undefined on PGlite). */
  copyFrom?(sql: string, chunks: Iterable<string | Buffer>): Promise<void>;
  /** Binary COPY into `target` ("table (columns)"): from STDIN on PostgreSQL, from '/dev/blob' on PGlite. */
  copyBinary(target: string, chunks: Iterable<Buffer>): Promise<void>;
  readonly inTransaction: boolean;
  /** State shared by a store and its transactions (e.g. the belief partitions known to exist). */
  readonly shared: { months: Set<string> };
}

async function copyWith(client: pg.PoolClient, sql: string, chunks: Iterable<string | Buffer>): Promise<void> {
  const stream = client.query(copyStreams.from(sql));
  await pipeline(Readable.from(chunks, { objectMode: false }), stream);
}

let savepoints = 0;
async function inSavepoint<T>(db: Db, fn: (db: Db) => Promise<T>): Promise<T> {
  const name = `sp_${++savepoints}`;
  await db.query(`SAVEPOINT ${name}`);
  try {
    const out = await fn(db);
    await db.query(`RELEASE SAVEPOINT ${name}`);
    return out;
  } catch (e) {
    await db.query(`ROLLBACK TO SAVEPOINT ${name}`);
    throw e;
  }
}

function pgClientDb(client: pg.PoolClient, shared: Db['shared']): Db {
  const db: Db = {
    kind: 'postgres',
    inTransaction: true,
    shared,
    async query<R>(sql: string, params?: unknown[], opts?: QueryOptions) {
      return (await client.query(pgQuery(sql, params, opts))).rows as R[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    transaction: (fn) => inSavepoint(db, fn),
    copyFrom: (sql, chunks) => copyWith(client, sql, chunks),
    copyBinary: (target, chunks) => copyWith(client, `COPY ${target} FROM STDIN (FORMAT binary)`, chunks),
  };
  return db;
}

export function pgPoolDb(pool: pg.Pool): Db {
  const shared = { months: new Set<string>() };
  return {
    kind: 'postgres',
    inTransaction: false,
    shared,
    async query<R>(sql: string, params?: unknown[], opts?: QueryOptions) {
      return (await pool.query(pgQuery(sql, params, opts))).rows as R[];
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(pgClientDb(client, shared));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async copyFrom(sql, chunks) {
      const client = await pool.connect();
      try {
        await copyWith(client, sql, chunks);
      } finally {
        client.release();
      }
    },
    copyBinary(target, chunks) {
      return this.copyFrom!(`COPY ${target} FROM STDIN (FORMAT binary)`, chunks);
    },
  };
}

/**
 * A parameter as an SQL literal for EXECUTE on PGlite: quoted, so that the prepared statement's parameter
 * type reads it (standard_conforming_strings is on). Only the store's own values reach it.
 */
export function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint') return `'${v}'`;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return `'${v.toISOString()}'`;
  if (v instanceof Uint8Array) return `'\\x${Buffer.from(v).toString('hex')}'`;
  if (Array.isArray(v)) return quoteLiteral(`{${v.map((e) => (e === null || e === undefined ? 'NULL' : `"${String(e).replace(/["\\]/g, '\\$&')}"`)).join(',')}}`);
  if (typeof v === 'string') return quoteLiteral(v);
  throw new TypeError(`cannot write a ${typeof v} as an SQL literal`);
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * PGlite answers a parameterised query in six calls into its WASM engine (parse, describe, bind, describe,
 * execute, sync) and plans it every time; a prepared statement runs as one simple-protocol EXECUTE with a
 * cached (generic) plan, two to three times faster for the hot reads. PREPARE happens outside transactions only.
 */
async function executePrepared<R>(run: Pick<PGlite, 'exec'>, prepared: Map<string, boolean>, sql: string, params: unknown[] | undefined, mayPrepare: boolean): Promise<R[] | null> {
  const name = statementName(sql);
  let ready = prepared.get(name);
  if (ready === undefined) {
    if (!mayPrepare) return null;
    ready = await run.exec(`PREPARE ${name} AS ${sql}`).then(() => true, () => false);
    prepared.set(name, ready);
  }
  if (!ready) return null;
  const args = params?.length ? `(${params.map(sqlLiteral).join(', ')})` : '';
  const results = await run.exec(`EXECUTE ${name}${args}`);
  return results[results.length - 1].rows as R[];
}

function pgliteTxDb(tx: PGliteTx, shared: Db['shared'], prepared: Map<string, boolean>): Db {
  const db: Db = {
    kind: 'pglite',
    inTransaction: true,
    shared,
    async query<R>(sql: string, params?: unknown[], opts?: QueryOptions) {
      if (opts?.prepared) {
        const rows = await executePrepared<R>(tx, prepared, sql, params, false);
        if (rows) return rows;
      }
      return (await tx.query<R>(sql, params)).rows;
    },
    async exec(sql: string) {
      await tx.exec(sql);
    },
    async copyBinary(target, chunks) {
      await tx.query(`COPY ${target} FROM '/dev/blob' (FORMAT binary)`, [], { blob: new Blob([...chunks] as BlobPart[]) });
    },
    transaction: (fn) => inSavepoint(db, fn),
  };
  return db;
}

export function pgliteDb(lite: PGlite): Db & { lite: PGlite } {
  const shared = { months: new Set<string>() };
  const prepared = new Map<string, boolean>();
  return {
    kind: 'pglite',
    lite,
    inTransaction: false,
    shared,
    async query<R>(sql: string, params?: unknown[], opts?: QueryOptions) {
      if (opts?.prepared) {
        const rows = await executePrepared<R>(lite, prepared, sql, params, true);
        if (rows) return rows;
      }
      return (await lite.query<R>(sql, params)).rows;
    },
    async exec(sql: string) {
      await lite.exec(sql);
    },
    async copyBinary(target, chunks) {
      await lite.query(`COPY ${target} FROM '/dev/blob' (FORMAT binary)`, [], { blob: new Blob([...chunks] as BlobPart[]) });
    },
    transaction: (fn) => lite.transaction((tx) => fn(pgliteTxDb(tx, shared, prepared))),
  };
}

/** Epoch ms of a timestamptz as returned by either driver (Date, or a string in some contexts). */
export function ms(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  return new Date(String(v)).getTime();
}

export function msOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : ms(v);
}

/** A timestamptz parameter from epoch ms. */
export function ts(msValue: number): string {
  return new Date(msValue).toISOString();
}

export function tsOrNull(msValue: number | null | undefined): string | null {
  return msValue === null || msValue === undefined ? null : ts(msValue);
}

/** int8 columns come back as strings from pg and numbers from PGlite. */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}
