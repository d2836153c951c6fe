/**
 * The price feeds: what each fetches and how its answer becomes series. Each connector takes the feed's
 * config and secrets, the time, and the HTTP dependencies, and returns parsed series (no storage here).
 */
import { z } from 'zod';
import { invalid } from '../../core/errors.ts';
import { ENTSOE_ZONES, parseEntsoeA44 } from '../formats/entsoe.ts';
import { parseWitsForecasts } from '../formats/nz.ts';
import type { ParseResult } from '../formats/types.ts';
import { parseEnergyChartsPrices } from './energy-charts.ts';
import { FeedFetchError, fetchText, type FetchPolicy, type HttpDeps } from './http.ts';

export const FEED_KINDS = ['entsoe', 'wits', 'energy-charts'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

const Url = z.string().url();

export const FeedConfigs = {
  entsoe: z.strictObject({
    zone: z.string().min(2).describe('bidding zone: a short name (DE-LU) or its EIC code'),
    sequence: z.number().int().positive().optional().describe('keep one auction (classificationSequence position)'),
    baseUrl: Url.optional(),
  }),
  wits: z.strictObject({
    schedule: z.enum(['PRSS', 'PRSL']).describe('PRSS short-term (every 30 min), PRSL long-term (every 2 h)'),
    nodes: z.array(z.string().min(3)).min(1).optional().describe('grid nodes (default: all the answer holds)'),
    baseUrl: Url.optional(),
  }),
  'energy-charts': z.strictObject({ zone: z.string().min(2).describe('bidding zone, e.g. DE-LU'), baseUrl: Url.optional() }),
} as const;

export const FeedSecrets = {
  entsoe: z.strictObject({ token: z.string().min(1).describe('ENTSO-E security token') }),
  wits: z.strictObject({ clientId: z.string().min(1), clientSecret: z.string().min(1) }),
  'energy-charts': z.strictObject({}),
} as const;

export const DEFAULT_INTERVAL_MS: Record<FeedKind, (config: Record<string, unknown>) => number> = {
  entsoe: () => 3_600_000,
  wits: (c) => (c.schedule === 'PRSL' ? 7_200_000 : 1_800_000),
  'energy-charts': () => 3_600_000,
};

export const DEFAULT_BASE_URL: Record<FeedKind, string> = {
  entsoe: 'https://web-api.tp.entsoe.eu/api',
  wits: 'https://api.electricityinfo.co.nz',
  'energy-charts': 'https://api.energy-charts.info',
};

/** What a connector gets: the feed's checked config and secrets, now, and how to fetch. */
export interface ConnectorInput {
  config: Record<string, unknown>;
  secrets: Record<string, unknown>;
  now: number;
  http: HttpDeps;
  policy: FetchPolicy;
}

/** Parsed series to store; `sourceName` names the feed's source. */
export interface FetchedPrices extends ParseResult { sourceName: string }

const DAY = 86_400_000;

function entsoeTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace(/[-:T]/g, '');
}

/** The EIC code of a bidding zone given by short name or code; an unknown zone is an error naming config.zone. */
export function eicOf(zone: string): string {
  const found = Object.entries(ENTSOE_ZONES).find(([, name]) => name === zone);
  if (found) return found[0];
  if (/^\d{2}Y[0-9A-Z-]{13}$/.test(zone)) return zone;
  throw invalid('config.zone', `"${zone}" is neither a known bidding zone (${Object.values(ENTSOE_ZONES).join(', ')}) nor an EIC code`);
}

/** ENTSO-E day-ahead prices for today and tomorrow (UTC days); belief time = the document's creation time. */
async function fetchEntsoe(i: ConnectorInput): Promise<FetchedPrices> {
  const c = i.config as z.infer<typeof FeedConfigs.entsoe>;
  const eic = eicOf(c.zone);
  const from = Math.floor(i.now / DAY) * DAY;
  const url = new URL(c.baseUrl ?? DEFAULT_BASE_URL.entsoe);
  for (const [k, v] of Object.entries({
    securityToken: String(i.secrets.token), documentType: 'A44', in_Domain: eic, out_Domain: eic,
    periodStart: entsoeTime(from), periodEnd: entsoeTime(from + 2 * DAY),
  })) url.searchParams.set(k, v);
  const xml = await fetchText(url.toString(), {}, i.policy, i.http, () => i.now);
  const parsed = parseEntsoeA44(xml, { sequence: c.sequence });
  const created = /<createdDateTime>([^<]+)<\/createdDateTime>/.exec(xml.slice(0, 4000))?.[1];
  const beliefTime = created && !Number.isNaN(Date.parse(created)) ? Math.min(Date.parse(created), i.now) : i.now;
  return { ...parsed, series: parsed.series.map((s) => ({ ...s, beliefTime })), sourceName: 'entsoe' };
}

/** An OAuth2 access token by client credentials. */
async function witsToken(i: ConnectorInput, base: string): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: String(i.secrets.clientId), client_secret: String(i.secrets.clientSecret) });
  const text = await fetchText(`${base}/login/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, i.policy, i.http, () => i.now);
  let token: unknown;
  try {
    token = (JSON.parse(text) as { access_token?: unknown }).access_token;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || !token) throw new FeedFetchError(`${base}/login/oauth2/token: the answer holds no access_token`, 200, false);
  return token;
}

/** WITS price forecasts of one schedule; belief time = each record's lastRunTime. */
async function fetchWits(i: ConnectorInput): Promise<FetchedPrices> {
  const c = i.config as z.infer<typeof FeedConfigs.wits>;
  const base = (c.baseUrl ?? DEFAULT_BASE_URL.wits).replace(/\/$/, '');
  const token = await witsToken(i, base);
  const url = new URL(`${base}/api/market-prices/v1/schedules/${c.schedule}/prices`);
  url.searchParams.set('marketType', 'E');
  if (c.nodes) url.searchParams.set('nodes', c.nodes.join(','));
  const text = await fetchText(url.toString(), { headers: { authorization: `Bearer ${token}` } }, i.policy, i.http, () => i.now);
  const parsed = parseWitsForecasts(text, c.nodes ? { nodes: new Set(c.nodes) } : {});
  return { ...parsed, sourceName: 'wits' };
}

/** energy-charts day-ahead prices for today and tomorrow; belief time = the fetch. */
async function fetchEnergyCharts(i: ConnectorInput): Promise<FetchedPrices> {
  const c = i.config as z.infer<(typeof FeedConfigs)['energy-charts']>;
  const from = Math.floor(i.now / DAY) * DAY;
  const url = new URL(`${(c.baseUrl ?? DEFAULT_BASE_URL['energy-charts']).replace(/\/$/, '')}/price`);
  url.searchParams.set('bzn', c.zone);
  url.searchParams.set('start', String(from / 1000));
  url.searchParams.set('end', String((from + 2 * DAY) / 1000));
  const text = await fetchText(url.toString(), {}, i.policy, i.http, () => i.now);
  const parsed = parseEnergyChartsPrices(text, c.zone);
  return { ...parsed, series: parsed.series.map((s) => ({ ...s, beliefTime: i.now })), sourceName: 'energy-charts' };
}

export const CONNECTORS: Record<FeedKind, (i: ConnectorInput) => Promise<FetchedPrices>> = {
  entsoe: fetchEntsoe,
  wits: fetchWits,
  'energy-charts': fetchEnergyCharts,
};
