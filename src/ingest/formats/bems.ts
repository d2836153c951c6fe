import { invalidLine } from '../../core/errors.ts';
import { csvRows, firstLine, readNumber } from './csv.ts';
import { placeOnGrid, nulls, type TimedRow } from './dense.ts';
import { parseGenericCsv } from './generic-csv.ts';
import { localToUtc } from './localtime.ts';
import { patternReader } from './timestamps.ts';
import type { ParseResult, ParsedSeries, Rejection } from './types.ts';

export const BEMS_TIME_ZONE = 'Asia/Taipei';
const BEMS_DATE = 'YYYY/M/D HH:mm';
const QUARTER = 900_000;

/** True for the wide form (`AMI_1,...,TIME`); false for the long form (`id,field,grid_power,inserted_at`). */
export function isBemsWide(text: string): boolean {
  return /(^|,)TIME\s*$/.test(firstLine(text));
}

/**
 * Reads the wide BEMS form (`AMI_1,AMI_2,AMI_3,total_load(kW),PV_generate(kW),net_load(kW),TIME`, kW,
 * Asia/Taipei `YYYY/M/D HH:MM`) into one power series per column, keyed by the column name without its unit.
 */
export function parseBemsWide(text: string): ParseResult {
  const r = parseGenericCsv(text, { unit: 'kW', timestampColumn: 'TIME', timeZone: BEMS_TIME_ZONE, dateFormat: BEMS_DATE, resolution: 'PT15M' });
  for (const s of r.series) s.key = s.key.replace(/\(kW\)$/, '');
  return r;
}

/**
 * Reads the long BEMS form (`id,field,grid_power,inserted_at`) into one grid-power series (kW) per field
 * (building). Rows of one field must not repeat a time.
 */
export function parseBemsLong(text: string): ParseResult {
  const read = patternReader(BEMS_DATE);
  const rejected: Rejection[] = [];
  const fields = new Map<string, { rows: TimedRow[]; values: number[] }>();
  let header = true;
  for (const row of csvRows(text, ',')) {
    if (header) {
      const h = row.fields.map((f) => f.trim()).join(',');
      if (h !== 'id,field,grid_power,inserted_at') throw invalidLine(row.line, `expected the header id,field,grid_power,inserted_at, found ${h}`);
      header = false;
      continue;
    }
    if (row.fields.length !== 4) { rejected.push({ line: row.line, reason: `${row.fields.length} columns instead of 4` }); continue; }
    const [, field, power, at] = row.fields.map((f) => f.trim());
    const w = read(at);
    const t = w ? localToUtc(w.local, BEMS_TIME_ZONE) : null;
    if (t === null) { rejected.push({ line: row.line, reason: `"${at}" is not a time YYYY/M/D HH:MM` }); continue; }
    const v = readNumber(power);
    if (Number.isNaN(v)) { rejected.push({ line: row.line, reason: `grid_power "${power}" is not a number` }); continue; }
    let f = fields.get(field);
    if (!f) fields.set(field, (f = { rows: [], values: [] }));
    f.rows.push({ t, line: row.line });
    f.values.push(v);
  }
  const series: ParsedSeries[] = [];
  for (const [key, f] of fields) {
    const grid = placeOnGrid(f.rows, QUARTER, rejected);
    const values = nulls(grid.length);
    f.rows.forEach((_, i) => {
      if (grid.slotOf[i] >= 0) values[grid.slotOf[i]] = f.values[i];
    });
    series.push({ key, quantity: 'power', unit: 'kW', resolutionMs: QUARTER, start: grid.start, values });
  }
  rejected.sort((a, b) => a.line - b.line);
  return { series, rejected };
}
