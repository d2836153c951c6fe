/**
 * Beliefs: (sensor, slot start, belief time, source) -> value. Writes are idempotent (the last value written
 * for a key wins) and all-or-nothing per call. See docs/storage.md for the table layout and the numbers.
 */
import type { Db } from '../db.ts';
import { num, ts } from '../db.ts';
import type { BeliefBatch, BeliefQuery, BeliefRecord, BeliefRow, BeliefSeries, Id, SensorWindowQuery, Store } from '../types.ts';
import { SOURCE_KINDS } from '../types.ts';
import { invalid, notFound } from '../../core/errors.ts';
import { slotCount } from '../../core/time.ts';
import { beliefCopyChunks } from '../copy-binary.ts';
import { ensurePartitions } from '../partitions.ts';
import { SENSOR_WITH_ZONE, toSensor, type SensorRow } from './sensors.ts';
import { Params, scopeWhere } from './sql.ts';

const KEY = 'sensor_id, slot_start, belief_time, source_id';
const COLUMNS = `${KEY}, value`;
const UPSERT = `ON CONFLICT (${KEY}) DO UPDATE SET value = EXCLUDED.value`;
/** epoch ms (float8) -> timestamptz, exact to the microsecond. */
const TS = (expr: string) => `(timestamptz 'epoch' + (${expr}) * interval '1 millisecond')`;
const UNNEST_CHUNK = 50_000;
/** Windows of at least this many slots are read in two halves at once on PostgreSQL. */
const SPLIT_READ_SLOTS = 8_192;

/** Resolutions of the sensors, checking that they exist. */
async function sensorResolutions(db: Db, ids: Iterable<Id>, field: string): Promise<Map<Id, number>> {
  const wanted = [...new Set(ids)];
  const rows = await db.query<{ id: number; resolution_ms: string | number }>('SELECT id, resolution_ms FROM sensors WHERE id = ANY($1::int[])', [wanted]);
  const found = new Map(rows.map((r) => [r.id, num(r.resolution_ms)]));
  const missing = wanted.find((id) => !found.has(id));
  if (missing !== undefined) throw invalid(field, `sensor ${missing} does not exist`);
  return found;
}

async function checkSources(db: Db, ids: Iterable<Id>, field: string): Promise<void> {
  const wanted = [...new Set(ids)];
  const rows = await db.query<{ id: number }>('SELECT id FROM sources WHERE id = ANY($1::int[])', [wanted]);
  const found = new Set(rows.map((r) => r.id));
  const missing = wanted.find((id) => !found.has(id));
  if (missing !== undefined) throw invalid(field, `source ${missing} does not exist`);
}

function checkBatch(b: BeliefBatch, i: number, resolutionMs: number): void {
  if (b.resolutionMs !== resolutionMs) throw invalid(`batches[${i}].resolutionMs`, `sensor ${b.sensorId} has a resolution of ${resolutionMs} ms, not ${b.resolutionMs}`);
  if (!Number.isFinite(b.start)) throw invalid(`batches[${i}].start`, 'not a time');
  if (!Number.isFinite(b.beliefTime)) throw invalid(`batches[${i}].beliefTime`, 'not a time');
}

async function writeBatch(db: Db, b: BeliefBatch): Promise<number> {
  let written = 0;
  for (let from = 0; from < b.values.length; from += UNNEST_CHUNK) {
    const offsets: number[] = [];
    const values: number[] = [];
    for (let i = from; i < Math.min(b.values.length, from + UNNEST_CHUNK); i++) {
      const v = b.values[i];
      if (v === null || v === undefined || Number.isNaN(v)) continue;
      if (!Number.isFinite(v)) throw invalid(`values[${i}]`, 'not a finite number');
      offsets.push(i);
      values.push(v);
    }
    if (offsets.length === 0) continue;
    await db.query(
      `INSERT INTO beliefs (${COLUMNS})
       SELECT $1, ${TS('$2::float8 + u.i::float8 * $3::float8')}, ${TS('$4::float8')}, $5, u.v
         FROM unnest($6::int[], $7::float8[]) AS u(i, v) ${UPSERT}`,
      [b.sensorId, b.start, b.resolutionMs, b.beliefTime, b.sourceId, offsets, values],
    );
    written += offsets.length;
  }
  return written;
}

/** Checks the rows; returns the first and last slot start. */
function checkRows(rows: readonly BeliefRow[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.slotStart < min) min = r.slotStart;
    if (r.slotStart > max) max = r.slotStart;
    if (!Number.isFinite(r.value)) throw invalid(`rows[${i}].value`, 'not a finite number');
    if (!Number.isFinite(r.slotStart)) throw invalid(`rows[${i}].slotStart`, 'not a time');
    if (!Number.isFinite(r.beliefTime)) throw invalid(`rows[${i}].beliefTime`, 'not a time');
  }
  return [min, max];
}

/**
 * Fast path: binary COPY straight into beliefs (from STDIN on PostgreSQL, from a blob on PGlite), in a savepoint. When a key exists already (a
 * rewrite, or a key repeated in the call), that fails with a unique violation, is rolled back, and the rows
 * go the idempotent way: on PostgreSQL binary COPY into a staging table, then one upsert keeping the last row
 * of each key; on PGlite the same upsert from unnest arrays.
 */
async function copyRows(tx: Db, rows: readonly BeliefRow[]): Promise<void> {
  try {
    await tx.transaction((sp) => sp.copyBinary(`beliefs (${COLUMNS})`, beliefCopyChunks(rows)));
  } catch (e) {
    if ((e as { code?: string }).code !== '23505') throw e;
    if (tx.copyFrom) await copyRowsUpsert(tx, rows);
    else await unnestRows(tx, rows);
  }
}

async function copyRowsUpsert(tx: Db, rows: readonly BeliefRow[]): Promise<void> {
  await tx.query(`CREATE TEMP TABLE IF NOT EXISTS beliefs_staging (LIKE beliefs INCLUDING DEFAULTS, seq bigint GENERATED ALWAYS AS IDENTITY) ON COMMIT DELETE ROWS`);
  await tx.copyFrom!(`COPY beliefs_staging (${COLUMNS}) FROM STDIN (FORMAT binary)`, beliefCopyChunks(rows));
  await tx.query(
    `INSERT INTO beliefs (${COLUMNS})
     SELECT DISTINCT ON (${KEY}) ${COLUMNS} FROM beliefs_staging ORDER BY ${KEY}, seq DESC ${UPSERT}`,
  );
  await tx.query('TRUNCATE beliefs_staging');
}

/** PGlite's idempotent path: unnest arrays in chunks, keeping the last row of a repeated key. */
async function unnestRows(tx: Db, rows: readonly BeliefRow[]): Promise<void> {
  for (let from = 0; from < rows.length; from += UNNEST_CHUNK) {
    const to = Math.min(rows.length, from + UNNEST_CHUNK);
    const cols = { s: [] as number[], t: [] as number[], b: [] as number[], src: [] as number[], v: [] as number[] };
    for (let i = from; i < to; i++) {
      const r = rows[i];
      cols.s.push(r.sensorId);
      cols.t.push(r.slotStart);
      cols.b.push(r.beliefTime);
      cols.src.push(r.sourceId);
      cols.v.push(r.value);
    }
    await tx.query(
      `INSERT INTO beliefs (${COLUMNS})
       SELECT DISTINCT ON (s, t, b, src) s, ${TS('t')}, ${TS('b')}, src, v
         FROM unnest($1::int[], $2::float8[], $3::float8[], $4::int[], $5::float8[]) WITH ORDINALITY AS u(s, t, b, src, v, n)
        ORDER BY s, t, b, src, n DESC ${UPSERT}`,
      [cols.s, cols.t, cols.b, cols.src, cols.v],
    );
  }
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * The number PostgreSQL printed in text[from, to). Plain decimals of at most 15 digits are read as
 * digits / 10^k: both are exact doubles, so the one division rounds correctly and the result is exactly
 * Number()'s (Clinger's fast path). Anything else (exponents, 16-17 digits, NaN) goes to Number().
 */
export function parseDecimal(text: string, from: number, to: number): number {
  let at = from;
  const negative = text.charCodeAt(at) === 45;
  if (negative) at++;
  let digits = 0;
  let mantissa = 0;
  let fraction = -1;
  for (; at < to; at++) {
    const c = text.charCodeAt(at);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === 46 && fraction < 0) fraction = 0;
    else return Number(text.slice(from, to));
  }
  if (digits === 0 || digits > 15 || fraction === 0) return Number(text.slice(from, to));
  const value = fraction > 0 ? mantissa / POW10[fraction] : mantissa;
  return negative ? -value : value;
}

/** Puts "offset-ms value,..." pairs into the dense array; a belief off the sensor's grid is not a slot value. */
function fillSlots(values: (number | null)[], text: string | null, resolutionMs: number): void {
  if (!text) return;
  const n = text.length;
  let at = 0;
  while (at < n) {
    // The offset is a non-negative whole number of ms (the window starts at `start`): reading it digit by
    // digit is twice as fast as slicing it out, for a year of slots.
    let offsetMs = 0;
    let c = text.charCodeAt(at);
    while (c >= 48 && c <= 57) {
      offsetMs = offsetMs * 10 + (c - 48);
      c = text.charCodeAt(++at);
    }
    const space = text.indexOf(' ', at);
    let comma = text.indexOf(',', space);
    if (comma < 0) comma = n;
    const i = offsetMs / resolutionMs;
    if (space === at && Number.isInteger(i) && i < values.length) values[i] = parseDecimal(text, space + 1, comma);
    at = comma + 1;
  }
}

/**
 * The newest belief per slot as one text of "offset-ms value" pairs, for the window [start, end). Walking the
 * primary key backwards gives, per slot, the newest belief (then the highest source id) first; one string
 * parses several times faster than 35,040 rows on both drivers, and a whole-ms int8 offset prints faster
 * than a float index (docs/storage.md).
 */
function latestText(start: string, startEpochS: string, end: string, sensorId: string, where: string): string {
  return `SELECT string_agg(((date_part('epoch', slot_start) - ${startEpochS}) * 1000)::int8::text || ' ' || value::text, ',') FROM (
            SELECT DISTINCT ON (slot_start) slot_start, value
              FROM beliefs
             WHERE sensor_id = ${sensorId} AND slot_start >= ${start} AND slot_start < ${end}${where}
             ORDER BY slot_start DESC, belief_time DESC, source_id DESC) latest`;
}

/** The end of a read: `span` ms after start rounded up to whole slots of `resolutionMs`. */
export function windowEnd(start: number, spanMs: number, resolutionMs: number): number {
  return start + Math.ceil(spanMs / resolutionMs) * resolutionMs;
}

function filters(q: Pick<BeliefQuery, 'asOf' | 'sourceIds' | 'sourceKinds'>, params: unknown[]): string {
  let where = '';
  if (q.asOf !== undefined) {
    params.push(ts(q.asOf));
    where += ` AND belief_time <= $${params.length}::timestamptz`;
  }
  if (q.sourceIds !== undefined) {
    params.push(q.sourceIds);
    where += ` AND source_id = ANY($${params.length}::int[])`;
  }
  if (q.sourceKinds !== undefined) {
    const bad = q.sourceKinds.find((k) => !SOURCE_KINDS.includes(k));
    if (bad !== undefined) throw invalid('sourceKinds', `unknown source kind "${bad}"`);
    params.push(q.sourceKinds);
    where += ` AND source_id IN (SELECT id FROM sources WHERE kind = ANY($${params.length}::text[]))`;
  }
  return where;
}

function checkRange(q: BeliefQuery): void {
  if (!Number.isFinite(q.start)) throw invalid('start', 'not a time');
  if (!Number.isFinite(q.end)) throw invalid('end', 'not a time');
  if (q.end < q.start) throw invalid('end', 'is before start');
}

export function beliefsRepo(db: Db): Store['beliefs'] {
  return {
    async write(batches) {
      if (batches.length === 0) return 0;
      let min = Infinity;
      let max = -Infinity;
      for (const b of batches) {
        if (b.values.length === 0) continue;
        min = Math.min(min, b.start);
        max = Math.max(max, b.start + (b.values.length - 1) * b.resolutionMs);
      }
      if (Number.isFinite(min) && Number.isFinite(max)) await ensurePartitions(db, min, max);
      return db.transaction(async (tx) => {
        const resolutions = await sensorResolutions(tx, batches.map((b) => b.sensorId), 'sensorId');
        await checkSources(tx, batches.map((b) => b.sourceId), 'sourceId');
        batches.forEach((b, i) => checkBatch(b, i, resolutions.get(b.sensorId)!));
        let written = 0;
        for (const b of batches) written += await writeBatch(tx, b);
        return written;
      });
    },
    async writeRows(rows) {
      if (rows.length === 0) return 0;
      const [min, max] = checkRows(rows);
      await ensurePartitions(db, min, max);
      return db.transaction(async (tx) => {
        await sensorResolutions(tx, rows.map((r) => r.sensorId), 'sensorId');
        await checkSources(tx, rows.map((r) => r.sourceId), 'sourceId');
        await copyRows(tx, rows);
        return rows.length;
      });
    },
    async latest(q) {
      checkRange(q);
      const resolutionMs = q.sensorResolutionMs
        ?? (await sensorResolutions(db, [q.sensorId], 'sensorId').catch(() => { throw notFound(`sensor ${q.sensorId}`); })).get(q.sensorId)!;
      const slots = slotCount(q.start, q.end, resolutionMs);
      const values: (number | null)[] = new Array(slots).fill(null);
      // A long window on PostgreSQL is read as two halves on two connections at once: the server scans and
      // prints one on each core (a year of 15-min slots: ~30 ms in one statement, ~20 ms in two).
      const halves = db.kind === 'postgres' && !db.inTransaction && slots >= SPLIT_READ_SLOTS ? 2 : 1;
      const per = Math.ceil(slots / halves);
      await Promise.all(Array.from({ length: halves }, async (_, h) => {
        const start = q.start + h * per * resolutionMs;
        const end = Math.min(q.end, start + per * resolutionMs);
        const params: unknown[] = [q.sensorId, ts(start), ts(end), start / 1000];
        const where = filters(q, params);
        const rows = await db.query<{ t: string | null }>(`SELECT (${latestText('$2::timestamptz', '$4::float8', '$3::timestamptz', '$1', where)}) AS t`, params, { prepared: true });
        const part: (number | null)[] = new Array(slotCount(start, end, resolutionMs)).fill(null);
        fillSlots(part, rows[0]?.t ?? null, resolutionMs);
        for (let i = 0; i < part.length; i++) values[h * per + i] = part[i];
      }));
      return { start: q.start, resolutionMs, values } satisfies BeliefSeries;
    },
    async latestOfSensor(scope, q) {
      if (!Number.isFinite(q.start)) throw invalid('start', 'not a time');
      if (!(q.spanMs > 0)) throw invalid('end', 'must be after start');
      // One statement: the sensor within the scope, its site's zone and, unless the window holds more than
      // maxSlots slots, the newest beliefs in it. A second round trip costs more than the whole query.
      // Both bounds are constants of the statement so that the planner prunes partitions: without a
      // resolution the window is [start, end) on the sensor's own grid; with one, it ends on a whole slot of it.
      const end = q.resolutionMs === undefined ? q.start + q.spanMs : windowEnd(q.start, q.spanMs, q.resolutionMs);
      const p = new Params();
      const start = `${p.add(ts(q.start))}::timestamptz`;
      const r = `coalesce(${p.add(q.resolutionMs ?? null)}::float8, s.resolution_ms::float8)`;
      const sql = `WITH s AS (${SENSOR_WITH_ZONE('sensors')} WHERE s.id = ${p.add(q.sensorId)} AND ${scopeWhere(scope, 's.account_id', p)}),
        w AS (SELECT s.*, ceil(${p.add(q.spanMs)}::float8 / least(${r}, s.resolution_ms::float8)) <= ${p.add(q.maxSlots)} AS w_ok FROM s)
        SELECT w.*, CASE WHEN w.w_ok THEN (${latestText(start, `${p.add(q.start / 1000)}::float8`, `${p.add(ts(end))}::timestamptz`, 'w.id', filters(q, p.values))}) END AS t FROM w`;
      const rows = await db.query<SensorRow & { w_ok: boolean; t: string | null }>(sql, p.values, { prepared: true });
      if (!rows[0]) return null;
      const sensor = toSensor(rows[0]);
      if (!rows[0].w_ok) return { sensor, series: null };
      const values: (number | null)[] = new Array(slotCount(q.start, end, sensor.resolutionMs)).fill(null);
      fillSlots(values, rows[0].t, sensor.resolutionMs);
      return { sensor, series: { start: q.start, resolutionMs: sensor.resolutionMs, values } };
    },
    async history(q) {
      checkRange(q);
      const params: unknown[] = [q.sensorId, ts(q.start), ts(q.end)];
      const rows = await db.query<{ slot_ms: number; belief_ms: number; source_id: number; value: number }>(
        `SELECT date_part('epoch', slot_start) * 1000 AS slot_ms, date_part('epoch', belief_time) * 1000 AS belief_ms, source_id, value
           FROM beliefs
          WHERE sensor_id = $1 AND slot_start >= $2::timestamptz AND slot_start < $3::timestamptz${filters(q, params)}
          ORDER BY belief_time, slot_start, source_id`,
        params,
      );
      return rows.map((r): BeliefRecord => ({ slotStart: Math.round(r.slot_ms), beliefTime: Math.round(r.belief_ms), sourceId: r.source_id, value: r.value }));
    },
  };
}
