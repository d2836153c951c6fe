import { invalid, invalidLine } from '../../core/errors.ts';
import { formatInstant, localDay, parseInstant, slotsInLocalDay } from '../../core/time.ts';
import { csvRows, readNumber } from './csv.ts';
import { nulls } from './dense.ts';
import type { ParseResult, ParsedSeries, Rejection } from './types.ts';

export const NZ_TIME_ZONE = 'Pacific/Auckland';
const HALF_HOUR = 1_800_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface NzOptions {
  /** Known grid node codes (e.g. from nodes.csv); a row for another node is rejected. */
  nodes?: ReadonlySet<string>;
}

/** The start of trading period `period` (1-based) of the NZ trading day `date`: elapsed half-hours from local midnight. */
export function tradingPeriodStart(date: string, period: number): number {
  let start = dayStarts.get(date);
  if (start === undefined) {
    start = localDay(date, NZ_TIME_ZONE).start;
    if (dayStarts.size > 10_000) dayStarts.clear();
    dayStarts.set(date, start);
  }
  return start + (period - 1) * HALF_HOUR;
}

/** Local midnights already computed (a file repeats each date for every node and period). */
const dayStarts = new Map<string, number>();

interface NodeRows { values: Map<number, number>; days: Map<string, { count: number; firstLine: number; lastLine: number }> }

/**
 * Reads an NZ Electricity Authority final-prices CSV (`Trading_date,Trading_period,Node,Price`, NZD/MWh,
 * NZ local trading days of 46, 48 or 50 half-hours) into one price series per grid node (a node is a
 * price zone). A day whose number of periods is not the day's count is an error naming its last line.
 */
export function parseNzFinalPrices(text: string, options: NzOptions = {}): ParseResult {
  const rejected: Rejection[] = [];
  const byNode = new Map<string, NodeRows>();
  let header: string[] | null = null;
  let cols = { date: 0, period: 1, node: 2, price: 3 };
  for (const row of csvRows(text, ',')) {
    if (!header) {
      header = row.fields.map((f) => f.trim().toLowerCase());
      const need = ['trading_date', 'trading_period', 'node', 'price'];
      const idx = need.map((n) => header!.indexOf(n));
      if (idx.some((i) => i < 0)) throw invalidLine(row.line, `an EMI final-prices file needs the columns ${need.join(', ')}`);
      cols = { date: idx[0], period: idx[1], node: idx[2], price: idx[3] };
      continue;
    }
    if (row.fields.length !== header.length) {
      rejected.push({ line: row.line, reason: `${row.fields.length} columns instead of ${header.length}` });
      continue;
    }
    const date = row.fields[cols.date].trim();
    const period = Number(row.fields[cols.period]);
    const node = row.fields[cols.node].trim();
    const price = readNumber(row.fields[cols.price]);
    if (!DATE.test(date)) { rejected.push({ line: row.line, reason: `"${date}" is not a trading date YYYY-MM-DD` }); continue; }
    if (!Number.isInteger(period) || period < 1 || period > 50) { rejected.push({ line: row.line, reason: `trading period "${row.fields[cols.period]}" is not 1..50` }); continue; }
    if (options.nodes && !options.nodes.has(node)) { rejected.push({ line: row.line, reason: `unknown grid node "${node}"` }); continue; }
    if (Number.isNaN(price)) { rejected.push({ line: row.line, reason: `price "${row.fields[cols.price]}" is not a number` }); continue; }
    let n = byNode.get(node);
    if (!n) byNode.set(node, (n = { values: new Map(), days: new Map() }));
    const t = tradingPeriodStart(date, period);
    if (n.values.has(t)) { rejected.push({ line: row.line, reason: `duplicate: ${node} ${date} period ${period}` }); continue; }
    n.values.set(t, price);
    const d = n.days.get(date) ?? { count: 0, firstLine: row.line, lastLine: row.line };
    d.count++;
    d.lastLine = row.line;
    n.days.set(date, d);
  }
  const series: ParsedSeries[] = [];
  for (const [node, n] of byNode) {
    for (const [date, d] of n.days) {
      const expected = slotsInLocalDay(date, NZ_TIME_ZONE, HALF_HOUR);
      if (d.count !== expected) throw invalidLine(d.lastLine, `${node} has ${d.count} trading periods on ${date} (lines ${d.firstLine}-${d.lastLine}); that NZ day has ${expected}`);
    }
    series.push(denseSeries(node, n.values, 'NZD/MWh'));
  }
  return { series, rejected };
}

function denseSeries(node: string, points: Map<number, number>, unit: string, beliefs?: Map<number, number>, schedule?: string): ParsedSeries {
  const times = [...points.keys()].sort((a, b) => a - b);
  const start = times[0];
  const values = nulls((times.at(-1)! - start) / HALF_HOUR + 1);
  const beliefTimes = beliefs ? nulls(values.length) : undefined;
  for (const t of times) {
    values[(t - start) / HALF_HOUR] = points.get(t)!;
    if (beliefTimes) beliefTimes[(t - start) / HALF_HOUR] = beliefs!.get(t)!;
  }
  const s: ParsedSeries = { key: node, quantity: 'price', unit, resolutionMs: HALF_HOUR, start, values };
  if (beliefTimes) s.beliefTimes = beliefTimes;
  if (schedule) s.meta = { schedule };
  return s;
}

/** One WITS price-forecast record. */
export interface WitsRecord {
  node: string;
  tradingDateTime: string;
  tradingPeriod: number | string;
  price: number | string;
  lastRunTime: string;
  schedule?: string;
}

function witsRecords(text: string): { records: WitsRecord[]; lines: number[] } {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw invalid('body', `not valid JSON: ${(e as Error).message}`);
    }
    type Group = { prices?: WitsRecord[]; schedule?: string };
    // A record list, one schedule `{schedule, prices}`, or a list of them (as the WITS API answers).
    const groups: Group[] = Array.isArray(doc) ? (doc.length > 0 && Array.isArray((doc[0] as Group).prices) ? (doc as Group[]) : [{ prices: doc as WitsRecord[] }]) : [doc as Group];
    const records: WitsRecord[] = [];
    for (const [i, g] of groups.entries()) {
      if (!Array.isArray(g?.prices)) throw invalid(`[${i}].prices`, 'expected an array of price records');
      for (const r of g.prices) records.push({ ...r, schedule: r.schedule ?? g.schedule });
    }
    return { records, lines: records.map((_, i) => i + 1) };
  }
  const rows = [...csvRows(text, ',')];
  if (rows.length === 0) throw invalid('body', 'empty');
  const head = rows[0].fields.map((f) => f.trim());
  const records: WitsRecord[] = [];
  const lines: number[] = [];
  for (const r of rows.slice(1)) {
    const o: Record<string, string> = {};
    head.forEach((h, i) => (o[h] = r.fields[i]?.trim()));
    records.push(o as unknown as WitsRecord);
    lines.push(r.line);
  }
  return { records, lines };
}

function readWitsRecord(r: WitsRecord, nodes?: ReadonlySet<string>): { t: number; price: number; run: number; schedule: string } | string {
  if (!r.node) return 'missing node';
  if (nodes && !nodes.has(r.node)) return `unknown grid node "${r.node}"`;
  if (r.schedule !== 'PRSS' && r.schedule !== 'PRSL') return `schedule "${r.schedule}" is not PRSS (short-term) or PRSL (long-term)`;
  let t: number;
  let run: number;
  try {
    t = parseInstant(String(r.tradingDateTime), 'tradingDateTime');
    run = parseInstant(String(r.lastRunTime), 'lastRunTime');
  } catch (e) {
    return (e as Error).message;
  }
  const price = typeof r.price === 'number' ? r.price : readNumber(String(r.price));
  if (!Number.isFinite(price)) return `price "${r.price}" is not a number`;
  const local = formatInstant(t, NZ_TIME_ZONE).slice(0, 10);
  const period = Math.round((t - localDay(local, NZ_TIME_ZONE).start) / HALF_HOUR) + 1;
  if (Number(r.tradingPeriod) !== period) return `trading period ${r.tradingPeriod} does not match tradingDateTime ${r.tradingDateTime} (period ${period})`;
  if (run > t + HALF_HOUR) return `lastRunTime ${r.lastRunTime} is after the trading period: not a forecast`;
  return { t, price, run, schedule: r.schedule };
}

/**
 * Reads WITS price-forecast records (a JSON array of records, `{schedule, prices: [...]}` or an array of
 * those, or CSV with the columns
 * node, tradingDateTime, tradingPeriod, price, lastRunTime, schedule) into one forecast series per node and
 * schedule, with the run time (`lastRunTime`) as the belief time of each value. Where a file holds several
 * runs for one slot, the newest run wins. Record numbers stand in for lines in JSON.
 */
export function parseWitsForecasts(text: string, options: NzOptions = {}): ParseResult {
  const { records, lines } = witsRecords(text);
  const rejected: Rejection[] = [];
  const groups = new Map<string, { node: string; schedule: string; values: Map<number, number>; runs: Map<number, number> }>();
  records.forEach((r, i) => {
    const read = readWitsRecord(r, options.nodes);
    if (typeof read === 'string') {
      rejected.push({ line: lines[i], reason: read });
      return;
    }
    const id = `${r.node}|${read.schedule}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { node: r.node, schedule: read.schedule, values: new Map(), runs: new Map() }));
    const prior = g.runs.get(read.t);
    if (prior !== undefined && prior === read.run) {
      rejected.push({ line: lines[i], reason: `duplicate: ${r.node} ${r.tradingDateTime} run ${r.lastRunTime}` });
      return;
    }
    if (prior === undefined || read.run > prior) {
      g.values.set(read.t, read.price);
      g.runs.set(read.t, read.run);
    }
  });
  const series = [...groups.values()].map((g) => {
    const s = denseSeries(g.node, g.values, 'NZD/MWh', g.runs, g.schedule);
    s.beliefTime = Math.max(...g.runs.values());
    return s;
  });
  return { series, rejected };
}
