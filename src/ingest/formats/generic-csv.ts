import { invalid, invalidLine } from '../../core/errors.ts';
import { parseDuration, isValidTimeZone } from '../../core/time.ts';
import { parseUnit, type Quantity } from '../../core/units.ts';
import { Floats, guessDelimiter, modalStep, readNumber, splitLine, stripBom } from './csv.ts';
import { nulls, placeTimes } from './dense.ts';
import { localToUtc } from './localtime.ts';
import { timestampReader, type TimestampReader } from './timestamps.ts';
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
 * separators, is an error naming the line. For large files read in chunks use GenericCsvReader.
 */
export function parseGenericCsv(text: string, options: GenericCsvOptions): ParseResult {
  const reader = new GenericCsvReader(options);
  reader.write(text);
  return reader.end();
}

/**
 * The generic CSV parser fed in chunks (a file stream, an HTTP upload): `write(chunk)` as text arrives,
 * `end()` for the result. `lines` tells how far it got, for a progress bar.
 */
export class GenericCsvReader {
  private readonly options: GenericCsvOptions;
  private readonly quantity: Quantity;
  private readonly unit: string;
  private readonly decimal: '.' | ',';
  private readonly readTime: TimestampReader;
  private readonly missing: Set<string>;
  private readonly rejected: Rejection[] = [];
  private readonly times = new Floats();
  private readonly lineNos = new Floats();
  private columns: Floats[] = [];
  private names: string[] | null = null;
  private delimiter: string | undefined;
  private tsCol = 0;
  private valCols: number[] = [];
  private width = 0;
  private previous = -Infinity;
  private pending = '';
  /** Lines read so far. */
  lines = 0;

  constructor(options: GenericCsvOptions) {
    const { quantity, unit } = checkOptions(options);
    this.options = options;
    this.quantity = quantity;
    this.unit = unit;
    this.decimal = options.decimalSeparator ?? '.';
    this.delimiter = options.delimiter;
    if (this.decimal === ',' && this.delimiter === ',') throw invalid('decimalSeparator', 'a decimal comma needs another column separator (";" or tab)');
    this.readTime = timestampReader(options.dateFormat ?? 'iso');
    this.missing = new Set(options.missing ?? DEFAULT_MISSING);
  }

  write(chunk: string): void {
    let text = this.pending + chunk;
    if (this.lines === 0) text = stripBom(text);
    let pos = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', pos)) {
      this.line(text, pos, end);
      pos = end + 1;
    }
    this.pending = text.slice(pos);
  }

  end(): ParseResult {
    if (this.pending !== '') this.line(this.pending, 0, this.pending.length);
    this.pending = '';
    if (this.names === null) throw invalid('file', 'the file is empty');
    return this.assemble();
  }

  private line(text: string, from: number, to: number): void {
    this.lines++;
    const stop = to > from && text.charCodeAt(to - 1) === 13 ? to - 1 : to;
    if (stop <= from) return;
    const line = text.slice(from, stop);
    if (line.trim() === '') return;
    if (this.delimiter === undefined) {
      this.delimiter = guessDelimiter(line);
      if (this.decimal === ',' && this.delimiter === ',') throw invalid('decimalSeparator', 'a decimal comma needs another column separator (";" or tab)');
    }
    this.row(splitLine(line, this.delimiter), this.lines);
  }

  private header(fields: string[]): void {
    const o = this.options;
    this.width = fields.length;
    const names = o.header !== false ? fields.map((f) => f.trim()) : fields.map((_, i) => `column${i}`);
    this.names = names;
    this.tsCol = columnIndex(o.timestampColumn ?? 0, names, 'timestampColumn');
    this.valCols = (o.valueColumns ?? names.map((_, i) => i).filter((i) => i !== this.tsCol)).map((c) => columnIndex(c, names, 'valueColumns'));
    if (this.valCols.length === 0) throw invalid('valueColumns', 'no value column');
    this.columns = this.valCols.map(() => new Floats());
  }

  private row(fields: string[], line: number): void {
    if (this.names === null) {
      this.header(fields);
      if (this.options.header !== false) return;
    }
    const names = this.names!;
    const delimiter = this.delimiter!;
    if (fields.length !== this.width) {
      const raw = fields.join(delimiter);
      const other = OTHER_SEPARATORS[delimiter]?.find((d) => raw.includes(d));
      if (other) throw invalidLine(line, `mixes "${other}" with the "${delimiter}" column separator (${fields.length} fields instead of ${this.width}); fix the export or choose the delimiter`);
      this.rejected.push({ line, reason: `${fields.length} columns instead of ${this.width}` });
      return;
    }
    const tsText = fields[this.tsCol].trim();
    const w = this.readTime(tsText);
    if (!w) {
      this.rejected.push({ line, reason: `"${tsText}" is not a timestamp in the format ${this.options.dateFormat ?? 'iso'}` });
      return;
    }
    let t: number | null;
    if (w.offsetMs !== undefined) t = w.local - w.offsetMs;
    else {
      const tz = this.options.timeZone;
      if (!tz) throw invalidLine(line, `timestamp "${tsText}" has no UTC offset; give a time zone (timeZone) or write the offset`);
      t = readLocal(w.local, tz, this.previous);
      if (t === null) {
        this.rejected.push({ line, reason: `"${tsText}" does not exist in ${tz} (skipped by the clock change)` });
        return;
      }
    }
    const valCols = this.valCols;
    for (let j = 0; j < valCols.length; j++) {
      const cell = fields[valCols[j]];
      let v: number;
      if (this.missing.has(cell) || this.missing.has(cell.trim())) v = NaN;
      else {
        v = readNumber(cell, this.decimal);
        if (Number.isNaN(v)) {
          for (let k = 0; k < j; k++) this.columns[k].pop();
          this.rejected.push({ line, reason: `"${cell.trim()}" in column "${names[valCols[j]]}" is not a number` });
          return;
        }
      }
      this.columns[j].push(v);
    }
    this.previous = t;
    this.times.push(t);
    this.lineNos.push(line);
  }

  private assemble(): ParseResult {
    const { times, lineNos, columns, rejected, options } = this;
    const names = this.names!;
    const count = times.length;
    if (count === 0) return { series: [], rejected };
    let resolutionMs: number;
    if (options.resolution) resolutionMs = parseDuration(options.resolution, 'resolution');
    else {
      const step = modalStep(times.data, count);
      if (step === null) throw invalid('resolution', 'cannot infer the resolution from a single timestamp; give resolution (e.g. PT15M)');
      resolutionMs = step;
    }
    const grid = placeTimes(times.data, lineNos.data, count, resolutionMs, rejected);
    const series = this.valCols.map((c, j) => {
      const values = nulls(grid.length);
      const col = columns[j].data;
      for (let i = 0; i < count; i++) {
        const k = grid.slotOf[i];
        if (k >= 0 && !Number.isNaN(col[i])) values[k] = col[i];
      }
      return { key: names[c], quantity: this.quantity, unit: this.unit, resolutionMs, start: grid.start, values };
    });
    rejected.sort((a, b) => a.line - b.line);
    return { series, rejected };
  }
}

/** A naive local time; a repeated autumn time is read as the later instant when the earlier one would go back. */
function readLocal(local: number, timeZone: string, previous: number): number | null {
  const early = localToUtc(local, timeZone, 'earlier');
  if (early === null || early > previous) return early;
  return localToUtc(local, timeZone, 'later');
}
