import { invalid, invalidLine } from '../../core/errors.ts';
import { csvRows, modalStep, readNumber } from './csv.ts';
import { placeOnGrid, nulls, type TimedRow } from './dense.ts';
import { localToUtc } from './localtime.ts';
import { patternReader } from './timestamps.ts';
import type { ParseResult, ParsedSeries, Rejection } from './types.ts';

/** SMARD's German zone names and the bidding-zone codes gridflex uses for them. */
export const SMARD_ZONES: Record<string, string> = {
  'Deutschland/Luxemburg': 'DE-LU',
  '∅ Anrainer DE/LU': 'DE-LU-NEIGHBOURS',
  Belgien: 'BE',
  'Dänemark 1': 'DK1',
  'Dänemark 2': 'DK2',
  Frankreich: 'FR',
  Niederlande: 'NL',
  'Norwegen 2': 'NO2',
  Österreich: 'AT',
  Polen: 'PL',
  'Schweden 4': 'SE4',
  Schweiz: 'CH',
  Tschechien: 'CZ',
  'DE/AT/LU': 'DE-AT-LU',
  'Italien (Nord)': 'IT-NORD',
  Slowenien: 'SI',
  Ungarn: 'HU',
};

const TIME_ZONE = 'Europe/Berlin';
const HEADER = /^(.*?)\s*\[(.+?)\]/;
const readTime = patternReader('DD.MM.YYYY HH:mm');

function smardUnit(text: string, column: string): string {
  const u = text.replace('€', 'EUR').replace(/\s/g, '');
  if (u === 'EUR/MWh' || u === 'MWh' || u === 'MW' || u === 'EUR/kWh') return u;
  throw invalid(column, `unknown SMARD unit "[${text}]"`);
}

interface Column { index: number; key: string; name: string; unit: string }

function readHeader(fields: string[]): Column[] {
  if (fields[0]?.trim() !== 'Datum von' || fields[1]?.trim() !== 'Datum bis') {
    throw invalidLine(1, 'a SMARD export starts with the columns "Datum von;Datum bis"');
  }
  return fields.slice(2).map((f, i) => {
    const m = HEADER.exec(f.trim());
    if (!m) throw invalidLine(1, `column ${i + 3} "${f}" has no unit in brackets`);
    return { index: i + 2, key: SMARD_ZONES[m[1]] ?? m[1], name: m[1], unit: smardUnit(m[2], `column "${f}"`) };
  });
}

/**
 * Reads a SMARD.de CSV export (`;`, decimal comma, byte-order mark, `-` = missing, local Berlin time in
 * `Datum von`) into one series per zone. The source's clock-change rows are read by their start time in
 * order: the spring row `31.03.2024 01:00;30.03.2024 02:00` is the 01:00 CET hour, and the autumn 02:00
 * written twice is the CEST hour and then the CET hour. `Datum bis` is not trusted.
 */
export function parseSmardCsv(text: string): ParseResult {
  const rejected: Rejection[] = [];
  let columns: Column[] | null = null;
  const timed: TimedRow[] = [];
  const cells: (number | null)[][] = [];
  let previous = -Infinity;
  for (const row of csvRows(text, ';')) {
    if (!columns) {
      columns = readHeader(row.fields);
      continue;
    }
    if (row.fields.length !== columns.length + 2) {
      if (row.fields.length === 1 && row.fields[0].includes(',')) throw invalidLine(row.line, 'uses "," where SMARD writes ";" between columns');
      rejected.push({ line: row.line, reason: `${row.fields.length} columns instead of ${columns.length + 2}` });
      continue;
    }
    const w = readTime(row.fields[0].trim());
    if (!w) {
      rejected.push({ line: row.line, reason: `"${row.fields[0]}" is not a date DD.MM.YYYY HH:MM` });
      continue;
    }
    let t = localToUtc(w.local, TIME_ZONE, 'earlier');
    if (t !== null && t <= previous) t = localToUtc(w.local, TIME_ZONE, 'later');
    if (t === null || t <= previous) {
      rejected.push({ line: row.line, reason: t === null ? `${row.fields[0]} does not exist in Berlin time` : `${row.fields[0]} repeats an earlier row` });
      continue;
    }
    const values: (number | null)[] = [];
    let bad: string | null = null;
    for (const c of columns) {
      const cell = row.fields[c.index].trim();
      if (cell === '-' || cell === '') values.push(null);
      else {
        const v = readNumber(cell, ',');
        if (Number.isNaN(v)) {
          bad = `"${cell}" in column "${c.name}" is not a number`;
          break;
        }
        values.push(v);
      }
    }
    if (bad) {
      rejected.push({ line: row.line, reason: bad });
      continue;
    }
    previous = t;
    timed.push({ t, line: row.line });
    cells.push(values);
  }
  if (!columns) throw invalid('file', 'the file is empty');
  if (timed.length === 0) return { series: [], rejected };
  const step = modalStep(timed.map((r) => r.t)) ?? 3_600_000;
  const grid = placeOnGrid(timed, step, rejected);
  const series: ParsedSeries[] = columns.map((c, j) => {
    const values = nulls(grid.length);
    for (let i = 0; i < timed.length; i++) if (grid.slotOf[i] >= 0) values[grid.slotOf[i]] = cells[i][j];
    return {
      key: c.key, quantity: c.unit.includes('/') ? 'price' : c.unit === 'MW' ? 'power' : 'energy',
      unit: c.unit, resolutionMs: step, start: grid.start, values, meta: { name: c.name },
    };
  });
  rejected.sort((a, b) => a.line - b.line);
  return { series, rejected };
}
