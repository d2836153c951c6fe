/**
 * A market's settings as a person sends them (ISO 8601 durations, prices per kWh), checked field by field.
 */
import { invalid } from '../core/errors.ts';
import { formatDuration, isValidTimeZone, parseDuration } from '../core/time.ts';
import { parseMechanism } from './clearing.ts';
import type { MarketConfig } from './types.ts';

export interface MarketInput {
  id: string;
  accountId: string;
  /** `PT15M` or `PT1H`. */
  slot: string;
  /** How long before a slot starts its gate closes, e.g. `PT5M` (ISO 8601, longer than zero). */
  gateClosure: string;
  timeZone: string;
  currency: string;
  mechanism?: string;
  retailPrice: number;
  feedInTariff: number;
  localGridFee?: number;
}

const SLOTS = [15 * 60_000, 60 * 60_000];

function price(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, 'must be a finite number (currency per kWh)');
  return value;
}

export function marketConfigFrom(input: MarketInput): MarketConfig {
  if (input === null || typeof input !== 'object') throw invalid('market', 'must be an object');
  if (typeof input.id !== 'string' || input.id === '') throw invalid('id', 'must be a non-empty string');
  if (typeof input.accountId !== 'string' || input.accountId === '') throw invalid('accountId', 'must be a non-empty string');
  const slotMs = parseDuration(input.slot, 'slot');
  if (!SLOTS.includes(slotMs)) throw invalid('slot', `must be PT15M or PT1H, not ${formatDuration(slotMs)}`);
  const gateClosureLeadMs = parseDuration(input.gateClosure, 'gateClosure');
  if (gateClosureLeadMs > 7 * 86_400_000) throw invalid('gateClosure', 'must be at most a week (P7D)');
  if (typeof input.timeZone !== 'string' || !isValidTimeZone(input.timeZone)) throw invalid('timeZone', `"${String(input.timeZone)}" is not an IANA time zone such as Europe/Berlin`);
  if (typeof input.currency !== 'string' || !/^[A-Z]{3}$/.test(input.currency)) throw invalid('currency', 'must be an ISO 4217 code such as EUR');
  const mechanism = parseMechanism(input.mechanism ?? 'pay-as-clear');
  const retailPrice = price(input.retailPrice, 'retailPrice');
  const feedInTariff = price(input.feedInTariff, 'feedInTariff');
  if (feedInTariff > retailPrice) throw invalid('feedInTariff', `must not exceed the retail price (${retailPrice}), or buying from the grid to sell back would pay`);
  const localGridFee = input.localGridFee === undefined ? 0 : price(input.localGridFee, 'localGridFee');
  if (localGridFee < 0) throw invalid('localGridFee', 'must not be negative');
  return { id: input.id, accountId: input.accountId, slotMs, timeZone: input.timeZone, gateClosureLeadMs, currency: input.currency, mechanism, retailPrice, feedInTariff, localGridFee };
}
