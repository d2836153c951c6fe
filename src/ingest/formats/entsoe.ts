import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ProblemError } from '../../core/errors.ts';
import { parseDuration } from '../../core/time.ts';
import { nulls } from './dense.ts';
import type { ParseResult, ParsedSeries, Rejection } from './types.ts';

/** Bidding-zone EIC codes and the short names gridflex uses for price zones. */
export const ENTSOE_ZONES: Record<string, string> = {
  '10Y1001A1001A82H': 'DE-LU',
  '10YAT-APG------L': 'AT',
  '10YBE----------2': 'BE',
  '10YFR-RTE------C': 'FR',
  '10YNL----------L': 'NL',
  '10YCH-SWISSGRIDZ': 'CH',
  '10YCZ-CEPS-----N': 'CZ',
  '10YPL-AREA-----S': 'PL',
  '10YDK-1--------W': 'DK1',
  '10YDK-2--------M': 'DK2',
  '10YNO-2--------T': 'NO2',
  '10Y1001A1001A47J': 'SE4',
};

const ROOT = 'Publication_MarketDocument';
const NAMESPACE = /^urn:iec62325\.351:tc57wg16:451-3:publicationdocument:7:\d+$/;

/** 400 naming the XML element at fault. */
function badElement(element: string, message: string): ProblemError {
  return new ProblemError(400, 'Invalid input', `${element}: ${message}`, { field: element });
}

type Node = Record<string, unknown>;

const parser = new XMLParser({
  parseTagValue: false,
  ignoreAttributes: false,
  isArray: (name) => name === 'TimeSeries' || name === 'Period',
  // Periods hold nearly all of a document; they are read by the strict scanner below, not as objects.
  stopNodes: ['*.Period'],
});

function text(node: unknown): string | undefined {
  if (node === undefined || node === null) return undefined;
  if (typeof node === 'object') return (node as Node)['#text'] as string | undefined;
  return String(node);
}

function lineAt(xml: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index; i++) if (xml.charCodeAt(i) === 10) n++;
  return n;
}

/** Refuses a truncated document, naming the innermost element left open and the last line. */
function checkComplete(xml: string): void {
  const trimmed = xml.trimEnd();
  if (trimmed.endsWith('>') && /<\/([\w:]+:)?[\w.]+_MarketDocument>$/.test(trimmed)) return;
  const v = XMLValidator.validate(xml);
  const open = v === true ? [] : (/\[(.*)\]/s.exec(v.err.msg)?.[1] ?? '').split(',').map((s) => s.trim().replace(/^"|"$/g, '')).filter(Boolean);
  const inner = open.at(-1);
  const line = lineAt(xml, trimmed.length);
  const where = inner ? `<${inner}> is not closed (open: ${open.join(' > ')})` : 'the closing root element is missing';
  throw new ProblemError(400, 'Invalid input', `line ${line}: the XML ends early: ${where}`, { line, field: inner });
}

function root(doc: Node): Node {
  const key = Object.keys(doc).find((k) => k !== '?xml');
  if (key === 'Acknowledgement_MarketDocument') {
    const reason = text(((doc[key] as Node).Reason as Node | undefined)?.text) ?? 'no reason given';
    throw badElement(key, `the platform answered with an acknowledgement instead of data: ${reason}`);
  }
  if (!key || key.replace(/^\w+:/, '') !== ROOT) throw badElement(key ?? 'document', `expected a ${ROOT} (A44 day-ahead prices), found <${key}>`);
  const r = doc[key] as Node;
  const ns = (r['@_xmlns'] as string | undefined) ?? '';
  if (!NAMESPACE.test(ns)) throw badElement(ROOT, `namespace "${ns}" is not the IEC 62325-451-3 publication document namespace (urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:x)`);
  const type = text(r.type);
  if (type !== undefined && type !== 'A44') throw badElement(`${ROOT}.type`, `document type ${type} is not A44 (prices)`);
  return r;
}

interface Run { key: string; zone: string; sequence?: string; unit: string; resolutionMs: number; periods: { start: number; values: (number | null)[] }[] }

function unitOf(ts: Node, where: string): string {
  const currency = text(ts['currency_Unit.name']);
  const measure = text(ts['price_Measure_Unit.name']);
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw badElement(`${where}.currency_Unit.name`, `"${currency}" is not a currency code`);
  if (measure !== 'MWH' && measure !== 'KWH') throw badElement(`${where}.price_Measure_Unit.name`, `"${measure}" is not MWH`);
  return `${currency}/${measure === 'MWH' ? 'MWh' : 'kWh'}`;
}

const INTERVAL = /<timeInterval>\s*<start>([^<]*)<\/start>\s*<end>([^<]*)<\/end>\s*<\/timeInterval>/;
const RESOLUTION = /<resolution>([^<]*)<\/resolution>/;
const POINT = /<Point>\s*<position>([^<]*)<\/position>\s*<price\.amount>([^<]*)<\/price\.amount>\s*<\/Point>/g;

/** The raw text of a Period: interval, resolution and points, read strictly. */
function periodParts(raw: string, where: string) {
  const interval = INTERVAL.exec(raw);
  const start = Date.parse(interval?.[1] ?? '');
  const end = Date.parse(interval?.[2] ?? '');
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) throw badElement(`${where}.timeInterval`, 'needs a start before its end (ISO 8601 UTC)');
  const res = parseDuration(RESOLUTION.exec(raw)?.[1]?.trim() ?? '', `${where}.resolution`);
  return { start, end, res };
}

function readPeriod(raw: string, where: string, curve: string, run: Run, start: number, end: number) {
  const res = run.resolutionMs;
  const slots = Math.round((end - start) / res);
  const given: (number | undefined)[] = new Array(slots + 1);
  let count = 0;
  POINT.lastIndex = 0;
  for (let m = POINT.exec(raw); m; m = POINT.exec(raw)) {
    count++;
    const pos = Number(m[1]);
    const price = m[2].trim() === '' ? NaN : Number(m[2]);
    if (!Number.isInteger(pos) || pos < 1 || pos > slots) throw badElement(`${where}.Point[${count}].position`, `position ${m[1]} is outside 1..${slots}`);
    if (!Number.isFinite(price)) throw badElement(`${where}.Point[${count}].price.amount`, `"${m[2]}" is not a price`);
    given[pos] = price;
  }
  const opened = raw.split('<Point>').length - 1;
  if (opened !== count) throw badElement(`${where}.Point[${count + 1}]`, 'is not a <Point> of <position> and <price.amount>');
  if (count === 0) throw badElement(`${where}.Point`, 'a period without points');
  const values: (number | null)[] = new Array(slots);
  let last: number | undefined;
  for (let pos = 1; pos <= slots; pos++) {
    const v = given[pos] ?? (curve === 'A03' ? last : undefined);
    values[pos - 1] = v ?? null;
    last = v;
  }
  run.periods.push({ start, values });
}

function toSeries(run: Run): ParsedSeries {
  const res = run.resolutionMs;
  const start = Math.min(...run.periods.map((p) => p.start));
  const end = Math.max(...run.periods.map((p) => p.start + p.values.length * res));
  const values = nulls((end - start) / res);
  for (const p of run.periods) {
    const at = (p.start - start) / res;
    for (let i = 0; i < p.values.length; i++) if (p.values[i] !== null) values[at + i] = p.values[i];
  }
  const meta: Record<string, string> = { eic: run.zone };
  if (run.sequence) meta.classificationSequence = run.sequence;
  return { key: run.key, quantity: 'price', unit: run.unit, resolutionMs: res, start, values, meta };
}

/**
 * Reads an ENTSO-E A44 `Publication_MarketDocument` (day-ahead prices) into one series per bidding zone,
 * auction (`classificationSequence_AttributeInstanceComponent.position`, appended to the key as `:2`) and
 * resolution. Curve type A03 leaves out positions whose price repeats the previous one; A01 leaves gaps.
 * Several periods of one zone join into one series. Pass `sequence` to keep one auction only.
 */
export function parseEntsoeA44(xml: string, options: { sequence?: number } = {}): ParseResult {
  checkComplete(xml);
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (e) {
    throw badElement('document', `not well-formed XML: ${(e as Error).message}`);
  }
  const r = root(doc);
  const runs = new Map<string, Run>();
  const rejected: Rejection[] = [];
  ((r.TimeSeries as Node[] | undefined) ?? []).forEach((ts, i) => {
    const where = `TimeSeries[${i + 1}]`;
    const zone = text(ts['in_Domain.mRID']) ?? text(ts['out_Domain.mRID']);
    if (!zone) throw badElement(`${where}.in_Domain.mRID`, 'missing bidding zone');
    const sequence = text(ts['classificationSequence_AttributeInstanceComponent.position']);
    if (options.sequence !== undefined && Number(sequence ?? 1) !== options.sequence) return;
    const curve = text(ts.curveType) ?? 'A01';
    if (curve !== 'A01' && curve !== 'A03') throw badElement(`${where}.curveType`, `curve type ${curve} is not A01 or A03`);
    const unit = unitOf(ts, where);
    ((ts.Period as unknown[] | undefined) ?? []).forEach((period, j) => {
      const raw = typeof period === 'string' ? period : '';
      const { start, end, res } = periodParts(raw, `${where}.Period[${j + 1}]`);
      const name = ENTSOE_ZONES[zone] ?? zone;
      const key = sequence && options.sequence === undefined ? `${name}:${sequence}` : name;
      const id = `${key}|${res}`;
      let run = runs.get(id);
      if (!run) runs.set(id, (run = { key, zone, sequence, unit, resolutionMs: res, periods: [] }));
      readPeriod(raw, `${where}.Period[${j + 1}]`, curve, run, start, end);
    });
  });
  return { series: [...runs.values()].filter((r) => r.periods.length > 0).map(toSeries), rejected };
}
