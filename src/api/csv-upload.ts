import { invalid, invalidMany } from '../core/errors.ts';
import { formatDuration } from '../core/time.ts';
import { parseGenericCsv } from '../ingest/formats/generic-csv.ts';
import type { Sensor } from '../store/types.ts';

export interface CsvUploadOptions {
  unit?: string;
  timezone?: string;
  decimal?: '.' | ',';
  delimiter?: string;
}

export interface UploadSeries {
  start: number;
  resolutionMs: number;
  unit: string;
  values: (number | null)[];
}

/** A first line whose first cell starts like a date or a number is data, not a header. */
function hasHeader(text: string): boolean {
  const first = text.replace(/^\uFEFF/, '').trimStart().slice(0, 12);
  return !/^[+-]?\d/.test(first);
}

/**
 * Reads an uploaded `timestamp,value` CSV onto the sensor's grid. Any bad row rejects the whole upload,
 * naming every bad line, so a rejected upload writes nothing.
 */
export function csvToSeries(text: string, sensor: Sensor, o: CsvUploadOptions): UploadSeries {
  if (!text.trim()) throw invalid('body', 'the CSV is empty');
  const unit = o.unit ?? sensor.unit;
  const parsed = parseGenericCsv(text, {
    unit, quantity: sensor.quantity, timeZone: o.timezone, decimalSeparator: o.decimal, delimiter: o.delimiter,
    resolution: formatDuration(sensor.resolutionMs), timestampColumn: 0, valueColumns: [1], header: hasHeader(text),
  });
  if (parsed.rejected.length) {
    const items = parsed.rejected.map((r) => ({ line: r.line, message: r.reason }));
    throw invalidMany(items, `${items.length} row(s) rejected, nothing written; first: line ${items[0].line}: ${items[0].message}`);
  }
  const series = parsed.series[0];
  if (!series || series.values.every((v) => v === null)) throw invalid('body', 'the CSV has no data rows');
  return { start: series.start, resolutionMs: series.resolutionMs, unit, values: series.values };
}
