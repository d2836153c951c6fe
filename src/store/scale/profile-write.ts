// Splits the time of a 1M-row writeRows on PostgreSQL into its phases (run: npx tsx src/store/scale/profile-write.ts).
import { openStore } from '../open.ts';
import { beliefCopyChunks } from '../copy-binary.ts';
import type { Db } from '../db.ts';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
const store = await openStore({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/test', schema: 'profile_write' });
const db = (store as unknown as { db: Db }).db;
try {
  const account = await store.accounts.create('p' + Date.now());
  const ids = [];
  for (let i = 0; i < 100; i++) ids.push((await store.sensors.create('all', { accountId: account.id, name: 's', quantity: 'power', unit: 'kW', resolutionMs: 900_000 })).id);
  const src = await store.sources.ensure({ kind: 'meter', name: 'm' });
  const rows: import('../types.ts').BeliefRow[] = [];
  for (let i = 0; i < 1_000_000; i++) rows.push({ sensorId: ids[i % 100], slotStart: Date.UTC(2025, 0, 1) + Math.floor(i / 100) * 900_000, beliefTime: 0, sourceId: src.id, value: i });
  await store.query('SELECT ensure_belief_partitions($1, $2)', [new Date(rows[0].slotStart), new Date(rows[rows.length - 1].slotStart)]);
  let t = performance.now();
  for (const c of beliefCopyChunks(rows)) void c;
  console.log('encode only ms', Math.round(performance.now() - t));
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', options: '-c search_path=profile_write' });
  await client.connect();
  for (const mode of ['client', 'autocommit', 'store', 'client', 'autocommit', 'store']) {
    await store.query('TRUNCATE beliefs');
    await store.query('CHECKPOINT');
    t = performance.now();
    if (mode === 'client') await pipeline(Readable.from(beliefCopyChunks(rows)), client.query(copyStreams.from('COPY beliefs (sensor_id, slot_start, belief_time, source_id, value) FROM STDIN (FORMAT binary)')));
    if (mode === 'autocommit') await db.copyBinary('beliefs (sensor_id, slot_start, belief_time, source_id, value)', beliefCopyChunks(rows));
    if (mode === 'transaction') await db.transaction((tx) => tx.copyBinary('beliefs (sensor_id, slot_start, belief_time, source_id, value)', beliefCopyChunks(rows)));
    if (mode === 'savepoint') await db.transaction((tx) => tx.transaction((sp) => sp.copyBinary('beliefs (sensor_id, slot_start, belief_time, source_id, value)', beliefCopyChunks(rows))));
    if (mode === 'store') await store.beliefs.writeRows(rows);
    console.log(mode, 'ms', Math.round(performance.now() - t));
  }
  await client.end();
} finally {
  await store.query('DROP SCHEMA profile_write CASCADE');
  await store.close();
}
