import { invalid } from '../../core/errors.ts';
import { parseAcnSessions, type AcnOptions, type ChargingRequest } from './acn.ts';
import { parseBemsLong, parseBemsWide } from './bems.ts';
import { detectFormat, type FormatName } from './detect.ts';
import { parseEntsoeA44 } from './entsoe.ts';
import { parseGenericCsv, type GenericCsvOptions } from './generic-csv.ts';
import { parseNzFinalPrices, parseWitsForecasts, type NzOptions } from './nz.ts';
import { parseSmardCsv } from './smard.ts';
import type { ParseResult } from './types.ts';

export * from './types.ts';
export { detectFormat, FORMATS, type FormatName } from './detect.ts';
export { parseGenericCsv, GenericCsvReader, type GenericCsvOptions } from './generic-csv.ts';
export { parseSmardCsv, SMARD_ZONES } from './smard.ts';
export { parseEntsoeA44, ENTSOE_ZONES } from './entsoe.ts';
export { parseNzFinalPrices, parseWitsForecasts, tradingPeriodStart, type WitsRecord } from './nz.ts';
export { parseBemsWide, parseBemsLong } from './bems.ts';
export { parseAcnSessions, type ChargingRequest, type AcnOptions } from './acn.ts';

export interface ParseOptions {
  format?: FormatName;
  /** Needed for the generic CSV. */
  csv?: GenericCsvOptions;
  nz?: NzOptions;
  acn?: AcnOptions;
  /** ENTSO-E: keep one auction (classificationSequence position). */
  sequence?: number;
}

/** The result of reading any file: series (all formats but ACN) or charging requests (ACN). */
export type FileResult = (ParseResult & { format: FormatName }) | { format: 'acn-sessions'; requests: ChargingRequest[]; series: []; rejected: ParseResult['rejected'] };

/** Detects the format (unless given) and parses the whole file. */
export function parseFile(name: string, text: string, options: ParseOptions = {}): FileResult {
  const format = options.format ?? detectFormat(name, text.slice(0, 4096));
  switch (format) {
    case 'entsoe-a44': return { format, ...parseEntsoeA44(text, { sequence: options.sequence }) };
    case 'smard': return { format, ...parseSmardCsv(text) };
    case 'nz-final-prices': return { format, ...parseNzFinalPrices(text, options.nz) };
    case 'wits': return { format, ...parseWitsForecasts(text, options.nz) };
    case 'bems-wide': return { format, ...parseBemsWide(text) };
    case 'bems-long': return { format, ...parseBemsLong(text) };
    case 'acn-sessions': return { format, series: [], ...parseAcnSessions(text, options.acn) };
    case 'generic-csv':
      if (!options.csv) throw invalid('unit', 'a generic CSV needs at least its unit (and the time zone when timestamps carry no offset)');
      return { format, ...parseGenericCsv(text, options.csv) };
    default:
      throw invalid('format', `unknown format "${String(format)}"`);
  }
}
export { summarize, convertSeries, type ImportSummary } from './summary.ts';
