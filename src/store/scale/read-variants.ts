// Compares ways of returning the one-sensor-year latest read (run: npx tsx src/store/scale/read-variants.ts pglite|postgres).
import { openStore } from '../open.ts';
const backend = process.argv[2] ?? 'pglite';
const store = await openStore(backend === 'pglite' ? { dataDir: 'memory://' } : { databaseUrl: 'postgres://postgres@127.0.0.1:5432/test', schema: 'read_variants' });
const account = await store.accounts.create('plan' + Date.now());
const sensor = await store.sensors.create('all', { accountId: account.id, name: 's', quantity: 'power', unit: 'kW', resolutionMs: 900_000 });
const src = await store.sources.ensure({ kind: 'meter', name: 'm' });
const rows = [];
for (let s = 0; s < 35_040; s++) for (let k = 0; k < 3; k++) rows.push({ sensorId: sensor.id, slotStart: Date.UTC(2025, 0, 1) + s * 900_000, beliefTime: k, sourceId: src.id, value: k + s / 7 });
await store.beliefs.writeRows(rows);
await store.query('VACUUM ANALYZE beliefs');
const where = `WHERE sensor_id = ${sensor.id} AND slot_start >= '2025-01-01Z' AND slot_start < '2026-01-01Z' ORDER BY slot_start DESC, belief_time DESC, source_id DESC`;
const variants: Record<string, string> = {
  rows: `SELECT DISTINCT ON (slot_start) date_part('epoch', slot_start - '2025-01-01Z'::timestamptz) * 1000 / 900000 AS i, value FROM beliefs ${where}`,
  arrays: `SELECT array_agg(i) AS i, array_agg(value) AS v FROM (SELECT DISTINCT ON (slot_start) date_part('epoch', slot_start - '2025-01-01Z'::timestamptz) * 1000 / 900000 AS i, value FROM beliefs ${where}) x`,
  text: `SELECT string_agg(i::text || ':' || value::text, ',') AS t FROM (SELECT DISTINCT ON (slot_start) date_part('epoch', slot_start - '2025-01-01Z'::timestamptz) * 1000 / 900000 AS i, value FROM beliefs ${where}) x`,
  serverOnly: `SELECT count(*) FROM (SELECT DISTINCT ON (slot_start) date_part('epoch', slot_start - '2025-01-01Z'::timestamptz) * 1000 / 900000 AS i, value FROM beliefs ${where}) x`,
};
for (const [name, sql] of Object.entries(variants)) {
  const t: number[] = [];
  for (let i = 0; i < 5; i++) { const s = performance.now(); await store.query(sql); t.push(performance.now() - s); }
  console.log(name, t.sort((a, b) => a - b)[2].toFixed(1), 'ms');
}
if (backend !== 'pglite') await store.query('DROP SCHEMA read_variants CASCADE');
await store.close();
