import { invalid } from '../../core/errors.ts';
import { firstLine, stripBom } from './csv.ts';

export const FORMATS = ['entsoe-a44', 'smard', 'nz-final-prices', 'wits', 'bems-wide', 'bems-long', 'acn-sessions', 'generic-csv'] as const;
export type FormatName = (typeof FORMATS)[number];

/**
 * Picks the parser for a file from its name and its first bytes (a few kilobytes are enough). Falls
 * back to the generic CSV for any other delimited text; refuses what it cannot read.
 */
export function detectFormat(name: string, head: string): FormatName {
  const text = stripBom(head).trimStart();
  const lower = name.toLowerCase();
  if (text.startsWith('<')) {
    if (/Publication_MarketDocument/.test(text.slice(0, 2000))) return 'entsoe-a44';
    throw invalid('format', `${name}: an XML document that is not an ENTSO-E Publication_MarketDocument`);
  }
  if (text.startsWith('[') || text.startsWith('{')) {
    if (/"(connectionTime|kWhDelivered|_items)"/.test(text)) return 'acn-sessions';
    if (/"(tradingDateTime|lastRunTime)"/.test(text)) return 'wits';
    throw invalid('format', `${name}: JSON that is neither ACN-Data sessions nor WITS price forecasts`);
  }
  const header = firstLine(text);
  if (header.startsWith('Datum von;Datum bis')) return 'smard';
  if (/^Trading_date,Trading_period,Node,Price/i.test(header)) return 'nz-final-prices';
  if (/\btradingDateTime\b/.test(header) && /\blastRunTime\b/.test(header)) return 'wits';
  if (/^AMI_1,.*,TIME$/.test(header)) return 'bems-wide';
  if (header.replace(/\s/g, '') === 'id,field,grid_power,inserted_at') return 'bems-long';
  if (lower.endsWith('.csv') || lower.endsWith('.txt') || /[,;\t]/.test(header)) return 'generic-csv';
  throw invalid('format', `${name}: cannot tell the format; give it explicitly`);
}
