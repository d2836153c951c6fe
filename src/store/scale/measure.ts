// Measures (run: npx tsx src/store/scale/measure.ts TABLE after load-100m.sql) one belief-table layout at 100M rows: one sensor-year latest read, a write batch, a cross-sensor hour.
import pg from 'pg';
import { beliefCopyChunks } from '../copy-binary.ts';
import copyStreams from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
const table = process.argv[2];
const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', options: '-c search_path=store_scale' });
await c.connect();
const median = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
async function time(fn: () => Promise<unknown>, n = 7) { const t: number[] = []; for (let i = 0; i < n; i++) { const s = performance.now(); await fn(); t.push(performance.now() - s); } return { first: t[0], median: median(t.slice(1)) }; }
// The store's query: latest per slot, returned as one text of "index value" pairs.
const latest = (sensor: number) => c.query(`SELECT string_agg(i::text || ' ' || value::text, ',') AS t FROM (SELECT DISTINCT ON (slot_start) date_part('epoch', slot_start - $2::timestamptz) * 1000 / $4::float8 AS i, value FROM ${table}
  WHERE sensor_id = $1 AND slot_start >= $2 AND slot_start < $3 ORDER BY slot_start DESC, belief_time DESC, source_id DESC) x`, [sensor, '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 900000]);
const r = await latest(17); if (r.rows[0].t.split(',').length !== 35040) throw new Error('wrong slot count');
const out: Record<string, unknown> = { table };
out.latestYear = await time(() => latest(300 + Math.floor(Math.random() * 600)));
out.latestYearSameSensor = await time(() => latest(17));
out.latestDay = await time(() => c.query(`SELECT DISTINCT ON (slot_start) slot_start, value FROM ${table} WHERE sensor_id = $1 AND slot_start >= $2 AND slot_start < $3 ORDER BY slot_start DESC, belief_time DESC, source_id DESC`, [Math.floor(Math.random() * 900) + 1, '2025-06-01T00:00:00Z', '2025-06-02T00:00:00Z']));
out.allSensorsOneHour = await time(() => c.query(`SELECT count(*), avg(value) FROM ${table} WHERE slot_start >= $1 AND slot_start < $2`, ['2025-07-01T10:00:00Z', '2025-07-01T11:00:00Z']), 3);
// write batch: 10,000 new beliefs (100 sensors x one day of 96 quarter-hours + 400), unnest upsert, then rolled back
let bt = Date.UTC(2025, 5, 1, 12) + Math.floor(Math.random() * 1e6);
out.write10kUnnest = await time(async () => {
  const s: number[] = [], t: number[] = [], v: number[] = [];
  for (let i = 0; i < 10000; i++) { s.push(1 + (i % 100) * 9); t.push(Date.UTC(2025, 5, 2) + Math.floor(i / 100) * 900000); v.push(i); }
  bt++;
  await c.query('BEGIN');
  await c.query(`INSERT INTO ${table} SELECT s, timestamptz 'epoch' + t * interval '1 millisecond', timestamptz 'epoch' + $4::float8 * interval '1 millisecond', 4, v FROM unnest($1::int[], $2::float8[], $3::float8[]) u(s, t, v)
    ON CONFLICT (sensor_id, slot_start, belief_time, source_id) DO UPDATE SET value = EXCLUDED.value`, [s, t, v, bt]);
  await c.query('ROLLBACK');
}, 5);
out.copy100kBinary = await time(async () => {
  const rows = []; bt++;
  for (let i = 0; i < 100000; i++) rows.push({ sensorId: 1 + (i % 950), slotStart: Date.UTC(2025, 3, 1) + Math.floor(i / 950) * 900000, beliefTime: bt, sourceId: 5, value: i });
  await c.query('BEGIN');
  await pipeline(Readable.from(beliefCopyChunks(rows)), c.query(copyStreams.from(`COPY ${table} FROM STDIN (FORMAT binary)`)));
  await c.query('ROLLBACK');
}, 3);
console.log(JSON.stringify(out));
await c.end();
