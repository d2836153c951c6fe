/**
 * Opens the store: PostgreSQL when a `databaseUrl` is given (a pg Pool; `schema` becomes the search_path of
 * every connection), else PGlite in `dataDir` (default `GRIDFLEX_DATA_DIR` or `./.gridflex`; `memory://` keeps
 * it in memory). Migrates unless `migrate: false`.
 */
import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { pgPoolDb, pgliteDb, type Db } from './db.ts';
import { applyMigrations } from './migrate.ts';
import { storeOver } from './store.ts';
import type { Store } from './types.ts';
import { invalid } from '../core/errors.ts';

export interface OpenOptions {
  databaseUrl?: string;
  dataDir?: string;
  schema?: string;
  migrate?: boolean;
  /** Connections in the PostgreSQL pool (default 10). */
  poolSize?: number;
}

/** Caps the WAL of a new PGlite data directory (else a million rows leave ~400 MB of WAL behind). */
const PGLITE_CONF = ['min_wal_size = 32MB', 'max_wal_size = 64MB'];
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openStore(opts: OpenOptions = {}): Promise<Store> {
  const store = opts.databaseUrl ? await openPostgres(opts.databaseUrl, opts) : await openPglite(opts.dataDir ?? process.env.GRIDFLEX_DATA_DIR ?? './.gridflex');
  if (opts.migrate !== false) await migrate(store);
  return store;
}

async function openPostgres(url: string, opts: OpenOptions): Promise<Store> {
  if (!/^postgres(ql)?:\/\//.test(url)) throw invalid('databaseUrl', 'must start with postgres:// or postgresql://');
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) throw invalid('schema', 'lower-case letters, digits and _ only');
  // pg parses int8 to strings by default; the store converts explicitly where it reads them.
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    // Only the statements the store prepares (db.query(..., { prepared: true })) have cached plans. Their
    // generic plan prunes belief partitions at run time and costs a third of planning each call anew, which
    // PostgreSQL's own choice (custom plans for partitioned tables) would do (docs/storage.md).
    options: [opts.schema ? `-c search_path=${opts.schema}` : '', '-c plan_cache_mode=force_generic_plan'].filter(Boolean).join(' '),
  });
  pool.on('error', () => undefined); // an idle client's lost connection is replaced on the next query
  if (opts.schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`);
  return Object.assign(storeOver(pgPoolDb(pool), () => pool.end()), { databaseUrl: url, schema: opts.schema });
}

async function openPglite(dataDir: string): Promise<Store> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const lite = await PGlite.create(inMemory ? undefined : dataDir, { postgresqlconf: PGLITE_CONF });
  // As on PostgreSQL: the store's prepared statements keep one generic plan (db.ts).
  await lite.exec('SET plan_cache_mode = force_generic_plan');
  return Object.assign(storeOver(pgliteDb(lite), () => lite.close()), { pglite: lite });
}

/** Applies the pending migrations; returns their names. */
export async function migrate(store: Store): Promise<string[]> {
  return applyMigrations((store as Store & { db: Db }).db);
}
