import { invalid } from '../../core/errors.ts';
import type { Rejection } from './types.ts';

/** A car's wish, as a scheduler takes it: be here from arrival to departure and get this much energy. */
export interface ChargingRequest {
  sessionId: string;
  stationId: string;
  /** Epoch ms. */
  arrival: number;
  departure: number;
  energyKwh: number;
  /** Where energyKwh came from: the driver's request, or what was delivered when there was no request. */
  basis: 'requested' | 'delivered';
  deliveredKwh: number | null;
  /** When charging finished (ACN `doneChargingTime`), if known. */
  doneCharging: number | null;
}

export interface AcnOptions {
  /** `requested` (default): the driver's kWhRequested and requestedDeparture where given, else the delivered energy
   * and the disconnect time. `delivered`: always what happened. */
  basis?: 'requested' | 'delivered';
}

interface AcnUserInput { kWhRequested?: number; requestedDeparture?: string; modifiedAt?: string }
interface AcnSession {
  sessionID?: string; stationID?: string; connectionTime?: string; disconnectTime?: string;
  doneChargingTime?: string | null; kWhDelivered?: number | null; userInputs?: AcnUserInput[] | null;
}

function time(text: string | null | undefined): number | null {
  if (!text) return null;
  const t = Date.parse(text); // RFC 1123 with GMT, as ACN-Data writes it
  return Number.isFinite(t) ? t : null;
}

function toRequest(s: AcnSession, basis: 'requested' | 'delivered'): ChargingRequest | string {
  const arrival = time(s.connectionTime);
  const disconnect = time(s.disconnectTime);
  if (arrival === null) return `connectionTime "${s.connectionTime}" is not a time`;
  if (disconnect === null) return `disconnectTime "${s.disconnectTime}" is not a time`;
  const delivered = typeof s.kWhDelivered === 'number' ? s.kWhDelivered : null;
  const input = s.userInputs?.length ? s.userInputs[s.userInputs.length - 1] : undefined;
  const useRequest = basis === 'requested' && input && typeof input.kWhRequested === 'number';
  const departure = useRequest ? time(input!.requestedDeparture) ?? disconnect : disconnect;
  const energy = useRequest ? input!.kWhRequested! : delivered;
  if (energy === null || !(energy >= 0)) return 'no energy requested or delivered';
  if (departure <= arrival) return `departure ${new Date(departure).toISOString()} is not after arrival ${new Date(arrival).toISOString()}`;
  return {
    sessionId: String(s.sessionID ?? ''), stationId: String(s.stationID ?? ''), arrival, departure,
    energyKwh: energy, basis: useRequest ? 'requested' : 'delivered', deliveredKwh: delivered, doneCharging: time(s.doneChargingTime),
  };
}

/**
 * Reads ACN-Data EV sessions (a JSON array, or the API's `{_items: [...]}`) into charging requests.
 * A session that cannot become a request is rejected with its 1-based position in the array as `line`.
 */
export function parseAcnSessions(text: string, options: AcnOptions = {}): { requests: ChargingRequest[]; rejected: Rejection[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw invalid('body', `not valid JSON: ${(e as Error).message}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { _items?: unknown })?._items;
  if (!Array.isArray(list)) throw invalid('body', 'expected an array of ACN-Data sessions or {_items: [...]}');
  const requests: ChargingRequest[] = [];
  const rejected: Rejection[] = [];
  list.forEach((s, i) => {
    const r = toRequest(s as AcnSession, options.basis ?? 'requested');
    if (typeof r === 'string') rejected.push({ line: i + 1, reason: `session ${(s as AcnSession).sessionID ?? i + 1}: ${r}` });
    else requests.push(r);
  });
  return { requests, rejected };
}
