// Prints the plan of the one-sensor-year latest read on PGlite (run: npx tsx src/store/scale/pglite-plan.ts).
import { openStore } from '../open.ts';
const store = await openStore({ dataDir: 'memory://' });
const account = await store.accounts.create('plan');
const sensor = await store.sensors.create('all', { accountId: account.id, name: 's', quantity: 'power', unit: 'kW', resolutionMs: 900_000 });
const src = await store.sources.ensure({ kind: 'meter', name: 'm' });
const rows = [];
for (let s = 0; s < 35_040; s++) for (let k = 0; k < 3; k++) rows.push({ sensorId: sensor.id, slotStart: Date.UTC(2025, 0, 1) + s * 900_000, beliefTime: k, sourceId: src.id, value: k });
await store.beliefs.writeRows(rows);
await store.query('VACUUM ANALYZE beliefs');
const plan = await store.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) SELECT DISTINCT ON (slot_start) date_part('epoch', slot_start - '2025-01-01Z'::timestamptz) * 1000 / 900000 AS i, value FROM beliefs
  WHERE sensor_id = ${sensor.id} AND slot_start >= '2025-01-01Z' AND slot_start < '2026-01-01Z' ORDER BY slot_start DESC, belief_time DESC, source_id DESC`);
console.log(plan.map((r) => r['QUERY PLAN']).join('\n'));
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  await store.beliefs.latest({ sensorId: sensor.id, start: Date.UTC(2025, 0, 1), end: Date.UTC(2026, 0, 1) });
  console.log('latest ms', performance.now() - t);
}
await store.close();
