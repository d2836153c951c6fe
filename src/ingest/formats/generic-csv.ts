import { invalid, invalidLine } from '../../core/errors.ts';
import { parseDuration, isValidTimeZone } from '../../core/time.ts';
import { parseUnit, type Quantity } from '../../core/units.ts';
import { firstLine, Floats, forEachCsvRow, guessDelimiter, modalStep, readNumber, stripBom } from './csv.ts';
import { nulls, placeTimes } from './dense.ts';
import { localToUtc } from './localtime.ts';
import { timestampReader } from './timestamps.ts';
import type { ParseResult, Rejection } from './types.ts';

export interface GenericCsvOptions {
  /** Unit of the values (`kW`, `EUR/MWh`, ...). */
  unit: string;
  /** Defaults to the unit's quantity (`energy` for Wh/kWh/MWh). */
  quantity?: Quantity;
  /** Header name or 0-based index of the timestamp column; default the first column. */
  timestampColumn?: string | number;
  /** Header names or indexes of the value columns; default every other column. */
  valueColumns?: (string | number)[];
  /** IANA zone for timestamps written without an offset. Without it such a timestamp is an error. */
  timeZone?: string;
  decimalSeparator?: '.' | ',';
  /** `,`, `;` or tab; guessed from the header when left out. */
  delimiter?: string;
  /** `iso` (default), `unix`, `unix-ms` or a pattern such as `DD.MM.YYYY HH:mm`. */
  dateFormat?: string;
  /** ISO 8601 duration of the slots; inferred from the most common step when left out. */
  resolution?: string;
  /** false when the first line is data (columns are then named by index). Default true. */
  header?: boolean;
  /** Cells read as missing. Default: empty, `-`, `NA`, `NaN`, `null`. */
  missing?: string[];
}

const DEFAULT_MISSING = ['', '-', 'NA', 'NaN', 'nan', 'null', 'n/a'];

function columnIndex(spec: string | number, names: string[], field: string): number {
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 0 || spec >= names.length) throw invalid(field, `column ${spec} does not exist (the file has ${names.length} columns)`);
    return spec;
  }
  const i = names.indexOf(spec);
  if (i < 0) throw invalid(field, `no column "${spec}"; the columns are ${names.map((n) => `"${n}"`).join(', ')}`);
  return i;
}

function checkOptions(o: GenericCsvOptions) {
  const unit = parseUnit(o.unit, 'unit');
  if (o.timeZone !== undefined && !isValidTimeZone(o.timeZone)) throw invalid('timeZone', `"${o.timeZone}" is not an IANA time zone such as Europe/Berlin`);
  if (o.decimalSeparator !== undefined && o.decimalSeparator !== '.' && o.decimalSeparator !== ',') throw invalid('decimalSeparator', 'must be "." or ","');
  const quantity = o.quantity ?? (unit.quantity === 'energy-or-soc' ? 'energy' : unit.quantity);
  return { quantity, unit: unit.unit };
}

const OTHER_SEPARATORS: Record<string, string[]> = { ',': [';', '\t'], ';': [',', '\t'], '\t': [',', ';'] };

/**
 * Reads a CSV of timestamps and one or more value columns into one dense series per value column. Rows
 * with a wrong column count, a bad number, a time that does not exist or a duplicate timestamp are
 * rejected with their line and reason; a timestamp without offset and no time zone, or a file that mixes
 * separators, is an error naming the line.
 */
export function parseGenericCsv(text: string, options: GenericCsvOptions): ParseResult {
  const { quantity, unit } = checkOptions(options);
  const body = stripBom(text);
  const delimiter = options.delimiter ?? guessDelimiter(firstLine(body));
  const decimal = options.decimalSeparator ?? '.';
  if (decimal === ',' && delimiter === ',') throw invalid('decimalSeparator', 'a decimal comma needs another column separator (";" or tab)');
  const readTime = timestampReader(options.dateFormat ?? 'iso');
  const missing = new Set(options.missing ?? DEFAULT_MISSING);
  const rejected: Rejection[] = [];
  const useHeader = options.header !== false;
  const times = new Floats();
  const lines = new Floats();
  let columns: Floats[] = [];
  let names: string[] | null = null;
  let tsCol = 0;
  let valCols: number[] = [];
  let width = 0;
  let previous = -Infinity;

  forEachCsvRow(body, delimiter, (fields, line) => {
    if (names === null) {
      width = fields.length;
      names = useHeader ? fields.map((f) => f.trim()) : fields.map((_, i) => `column${i}`);
      tsCol = columnIndex(options.timestampColumn ?? 0, names, 'timestampColumn');
      valCols = (options.valueColumns ?? names.map((_, i) => i).filter((i) => i !== tsCol)).map((c) => columnIndex(c, names!, 'valueColumns'));
      if (valCols.length === 0) throw invalid('valueColumns', 'no value column');
      columns = valCols.map(() => new Floats());
      if (useHeader) return;
    }
    if (fields.length !== width) {
      const raw = fields.join(delimiter);
      const other = OTHER_SEPARATORS[delimiter]?.find((d) => raw.includes(d));
      if (other) throw invalidLine(line, `mixes "${other}" with the "${delimiter}" column separator (${fields.length} fields instead of ${width}); fix the export or choose the delimiter`);
      rejected.push({ line, reason: `${fields.length} columns instead of ${width}` });
      return;
    }
    const tsText = fields[tsCol].trim();
    const w = readTime(tsText);
    if (!w) {
      rejected.push({ line, reason: `"${tsText}" is not a timestamp in the format ${options.dateFormat ?? 'iso'}` });
      return;
    }
    let t: number | null;
    if (w.offsetMs !== undefined) t = w.local - w.offsetMs;
    else {
      if (!options.timeZone) throw invalidLine(line, `timestamp "${tsText}" has no UTC offset; give a time zone (timeZone) or write the offset`);
      t = readLocal(w.local, options.timeZone, previous);
      if (t === null) {
        rejected.push({ line, reason: `"${tsText}" does not exist in ${options.timeZone} (skipped by the clock change)` });
        return;
      }
    }
    for (let j = 0; j < valCols.length; j++) {
      const cell = fields[valCols[j]];
      let v: number;
      if (missing.has(cell) || missing.has(cell.trim())) v = NaN;
      else {
        v = readNumber(cell, decimal);
        if (Number.isNaN(v)) {
          for (let k = 0; k < j; k++) columns[k].pop();
          rejected.push({ line, reason: `"${cell.trim()}" in column "${names[valCols[j]]}" is not a number` });
          return;
        }
      }
      columns[j].push(v);
    }
    previous = t;
    times.push(t);
    lines.push(line);
  });
  if (names === null) throw invalid('file', 'the file is empty');
  return assemble(names, valCols, times, lines, columns, rejected, options, quantity, unit);
}

/** A naive local time; a repeated autumn time is read as the later instant when the earlier one would go back. */
function readLocal(local: number, timeZone: string, previous: number): number | null {
  const early = localToUtc(local, timeZone, 'earlier');
  if (early === null || early > previous) return early;
  return localToUtc(local, timeZone, 'later');
}

function assemble(
  names: string[], valCols: number[], times: Floats, lines: Floats, columns: Floats[], rejected: Rejection[],
  options: GenericCsvOptions, quantity: Quantity, unit: string,
): ParseResult {
  const count = times.length;
  if (count === 0) return { series: [], rejected };
  let resolutionMs: number;
  if (options.resolution) resolutionMs = parseDuration(options.resolution, 'resolution');
  else {
    const step = modalStep(times.data, count);
    if (step === null) throw invalid('resolution', 'cannot infer the resolution from a single timestamp; give resolution (e.g. PT15M)');
    resolutionMs = step;
  }
  const grid = placeTimes(times.data, lines.data, count, resolutionMs, rejected);
  const series = valCols.map((c, j) => {
    const values = nulls(grid.length);
    const col = columns[j].data;
    for (let i = 0; i < count; i++) {
      const k = grid.slotOf[i];
      if (k >= 0 && !Number.isNaN(col[i])) values[k] = col[i];
    }
    return { key: names[c], quantity, unit, resolutionMs, start: grid.start, values };
  });
  rejected.sort((a, b) => a.line - b.line);
  return { series, rejected };
}
