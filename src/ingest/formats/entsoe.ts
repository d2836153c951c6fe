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
  isArray: (name) => name === 'TimeSeries' || name === 'Period' || name === 'Point',
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

interface Run { key: string; zone: string; sequence?: string; unit: string; resolutionMs: number; points: Map<number, number> }

function unitOf(ts: Node, where: string): string {
  const currency = text(ts['currency_Unit.name']);
  const measure = text(ts['price_Measure_Unit.name']);
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw badElement(`${where}.currency_Unit.name`, `"${currency}" is not a currency code`);
  if (measure !== 'MWH' && measure !== 'KWH') throw badElement(`${where}.price_Measure_Unit.name`, `"${measure}" is not MWH`);
  return `${currency}/${measure === 'MWH' ? 'MWh' : 'kWh'}`;
}

function readPeriod(period: Node, where: string, curve: string, run: Run) {
  const interval = period.timeInterval as Node | undefined;
  const start = Date.parse(text(interval?.start) ?? '');
  const end = Date.parse(text(interval?.end) ?? '');
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) throw badElement(`${where}.timeInterval`, 'needs a start before its end (ISO 8601 UTC)');
  const res = parseDuration(text(period.resolution) ?? '', `${where}.resolution`);
  if (res !== run.resolutionMs) throw badElement(`${where}.resolution`, 'differs from the other periods of this TimeSeries');
  const slots = Math.round((end - start) / res);
  const pts = (period.Point as Node[] | undefined) ?? [];
  if (pts.length === 0) throw badElement(`${where}.Point`, 'a period without points');
  const given: (number | undefined)[] = new Array(slots + 1);
  pts.forEach((p, i) => {
    const pos = Number(text(p.position));
    const price = Number(text(p['price.amount']));
    if (!Number.isInteger(pos) || pos < 1 || pos > slots) throw badElement(`${where}.Point[${i + 1}].position`, `position ${text(p.position)} is outside 1..${slots}`);
    if (text(p['price.amount']) === undefined || !Number.isFinite(price)) throw badElement(`${where}.Point[${i + 1}].price.amount`, `"${text(p['price.amount'])}" is not a price`);
    given[pos] = price;
  });
  let last: number | undefined;
  for (let pos = 1; pos <= slots; pos++) {
    const v = given[pos] ?? (curve === 'A03' ? last : undefined);
    if (v !== undefined) run.points.set(start + (pos - 1) * res, v);
    last = v;
  }
}

function toSeries(run: Run): ParsedSeries {
  const times = [...run.points.keys()].sort((a, b) => a - b);
  const start = times[0];
  const values = nulls((times.at(-1)! - start) / run.resolutionMs + 1);
  for (const t of times) values[(t - start) / run.resolutionMs] = run.points.get(t)!;
  const meta: Record<string, string> = { eic: run.zone };
  if (run.sequence) meta.classificationSequence = run.sequence;
  return { key: run.key, quantity: 'price', unit: run.unit, resolutionMs: run.resolutionMs, start, values, meta };
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
    ((ts.Period as Node[] | undefined) ?? []).forEach((period, j) => {
      const res = parseDuration(text(period.resolution) ?? '', `${where}.Period[${j + 1}].resolution`);
      const name = ENTSOE_ZONES[zone] ?? zone;
      const key = sequence && options.sequence === undefined ? `${name}:${sequence}` : name;
      const id = `${key}|${res}`;
      let run = runs.get(id);
      if (!run) runs.set(id, (run = { key, zone, sequence, unit, resolutionMs: res, points: new Map() }));
      readPeriod(period, `${where}.Period[${j + 1}]`, curve, run);
    });
  });
  return { series: [...runs.values()].filter((r) => r.points.size > 0).map(toSeries), rejected };
}
