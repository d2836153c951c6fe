/**
 * Store figures, on PostgreSQL (DATABASE_URL or the local test database, in a scratch schema dropped after)
 * and on PGlite (in memory):
 * - 1,000,000 beliefs through `beliefs.writeRows` (rows/s), beside the reference measured in the same run:
 *   the raw binary COPY of the same client into the same, empty table (from STDIN on PostgreSQL, from
 *   '/dev/blob' on PGlite), and the ratio of the two; then rewriting 100,000 existing beliefs (the upsert path);
 * - one year of 15-min values (35,040 slots, three belief versions each) of one sensor, latest per slot (ms).
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { PGlite } from '@electric-sql/pglite';
import { openStore } from '../src/store/open.ts';
import { beliefCopyChunks } from '../src/store/copy-binary.ts';
import type { BeliefRow, Store } from '../src/store/types.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = 1_000_000;
const SENSORS = 100;
const MIN15 = 900_000;
const T0 = Date.UTC(2025, 0, 1);
const YEAR_SLOTS = 35_040;

function emit(name: string, value: number, unit: string): void {
  console.log(JSON.stringify({ name, value: Math.round(value * 100) / 100, unit }));
}

async function fixture(store: Store) {
  const account = await store.accounts.create('bench');
  const site = await store.sites.create('all', { accountId: account.id, name: 'bench', timezone: 'UTC' });
  const sensors = [];
  for (let i = 0; i < SENSORS + 1; i++) sensors.push(await store.sensors.create('all', { name: `s${i}`, quantity: 'power', unit: 'kW', resolutionMs: MIN15, siteId: site.id }));
  const sources = [];
  for (const name of ['day-ahead', 'intraday', 'meter']) sources.push(await store.sources.ensure({ kind: name === 'meter' ? 'meter' : 'forecaster', name }));
  return { sensors, sources };
}

/** 1M rows across 100 sensors, in time order as a feed would deliver them. */
function bulkRows(sensorIds: number[], sourceId: number): BeliefRow[] {
  const rows: BeliefRow[] = new Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    const slot = T0 + Math.floor(i / SENSORS) * MIN15;
    rows[i] = { sensorId: sensorIds[i % SENSORS], slotStart: slot, beliefTime: slot + MIN15, sourceId, value: (i % 977) / 10 };
  }
  return rows;
}

/** A year of one sensor with a day-ahead, an intraday and a measured belief per slot. */
function yearRows(sensorId: number, sourceIds: number[]): BeliefRow[] {
  const rows: BeliefRow[] = [];
  for (let s = 0; s < YEAR_SLOTS; s++) {
    const slot = T0 + s * MIN15;
    rows.push({ sensorId, slotStart: slot, beliefTime: slot - 86_400_000, sourceId: sourceIds[0], value: 1 });
    rows.push({ sensorId, slotStart: slot, beliefTime: slot - 3_600_000, sourceId: sourceIds[1], value: 2 });
    rows.push({ sensorId, slotStart: slot, beliefTime: slot + MIN15, sourceId: sourceIds[2], value: s });
  }
  return rows;
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function readFigure(store: Store, sensorId: number): Promise<number> {
  const q = { sensorId, start: T0, end: T0 + YEAR_SLOTS * MIN15 };
  const first = await store.beliefs.latest(q);
  if (first.values.length !== YEAR_SLOTS || first.values[YEAR_SLOTS - 1] !== YEAR_SLOTS - 1) throw new Error('latest read returned wrong values');
  const times: number[] = [];
  for (let i = 0; i < 15; i++) times.push(await timeIt(() => store.beliefs.latest(q)));
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

async function benchPostgres(): Promise<void> {
  const schema = `bench_store_${randomBytes(4).toString('hex')}`;
  const store = await openStore({ databaseUrl: DATABASE_URL, schema });
  const client = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const { sensors, sources } = await fixture(store);
    const rows = bulkRows(sensors.slice(0, SENSORS).map((s) => s.id), sources[2].id);
    // Both paths write into the same monthly partitions.
    await client.query('SELECT ensure_belief_partitions($1, $2)', [new Date(rows[0].slotStart), new Date(rows[ROWS - 1].slotStart)]);
    // Two alternating rounds into the emptied table; the faster of each counts (this machine is shared).
    let reference = Infinity;
    let viaStore = Infinity;
    for (let round = 0; round < 2; round++) {
      await client.query('TRUNCATE beliefs');
      await client.query('CHECKPOINT');
      reference = Math.min(reference, await timeIt(async () => {
        await pipeline(Readable.from(beliefCopyChunks(rows)), client.query(copyStreams.from('COPY beliefs (sensor_id, slot_start, belief_time, source_id, value) FROM STDIN (FORMAT binary)')));
      }));
      await client.query('TRUNCATE beliefs');
      await client.query('CHECKPOINT');
      viaStore = Math.min(viaStore, await timeIt(() => store.beliefs.writeRows(rows)));
    }
    emit('store.postgres.copy_reference', ROWS / (reference / 1000), 'rows/s');
    emit('store.postgres.write_rows', ROWS / (viaStore / 1000), 'rows/s');
    emit('store.postgres.write_rows_vs_reference', (100 * reference) / viaStore, '%');
    const again = await timeIt(() => store.beliefs.writeRows(rows.slice(0, 100_000)));
    emit('store.postgres.rewrite_100k_existing', 100_000 / (again / 1000), 'rows/s');
    const year = sensors[SENSORS];
    await store.beliefs.writeRows(yearRows(year.id, sources.map((s) => s.id)));
    await client.query('VACUUM ANALYZE beliefs');
    emit('store.postgres.latest_year_15min_3_versions', await readFigure(store, year.id), 'ms');
  } finally {
    await client.end();
    await store.query(`DROP SCHEMA ${schema} CASCADE`);
    await store.close();
  }
}

async function benchPglite(): Promise<void> {
  const store = await openStore({ dataDir: 'memory://' });
  const lite = (store as unknown as { db: { lite: PGlite } }).db.lite;
  try {
    const { sensors, sources } = await fixture(store);
    const rows = bulkRows(sensors.slice(0, SENSORS).map((s) => s.id), sources[2].id);
    await store.query('SELECT ensure_belief_partitions($1, $2)', [new Date(rows[0].slotStart), new Date(rows[ROWS - 1].slotStart)]);
    const blob = new Blob([...beliefCopyChunks(rows)] as BlobPart[]);
    let reference = Infinity;
    let viaStore = Infinity;
    for (let round = 0; round < 2; round++) {
      await store.query('TRUNCATE beliefs');
      reference = Math.min(reference, await timeIt(() => lite.query(`COPY beliefs (sensor_id, slot_start, belief_time, source_id, value) FROM '/dev/blob' (FORMAT binary)`, [], { blob })));
      await store.query('TRUNCATE beliefs');
      viaStore = Math.min(viaStore, await timeIt(() => store.beliefs.writeRows(rows)));
    }
    emit('store.pglite.copy_reference', ROWS / (reference / 1000), 'rows/s');
    emit('store.pglite.write_rows', ROWS / (viaStore / 1000), 'rows/s');
    emit('store.pglite.write_rows_vs_reference', (100 * reference) / viaStore, '%');
    const again = await timeIt(() => store.beliefs.writeRows(rows.slice(0, 100_000)));
    emit('store.pglite.rewrite_100k_existing', 100_000 / (again / 1000), 'rows/s');
    const year = sensors[SENSORS];
    await store.beliefs.writeRows(yearRows(year.id, sources.map((s) => s.id)));
    await store.query('VACUUM ANALYZE beliefs');
    emit('store.pglite.latest_year_15min_3_versions', await readFigure(store, year.id), 'ms');
  } finally {
    await store.close();
  }
}

const only = process.argv[2];
if (!only || only === 'postgres') await benchPostgres();
if (!only || only === 'pglite') await benchPglite();
