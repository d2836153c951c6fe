import { invalid } from '../../core/errors.ts';
import type { ParseResult } from '../formats/types.ts';

/** "EUR / MWh" (as energy-charts writes it) as a unit the core reads. */
function unitOf(text: unknown): string {
  if (text === undefined) return 'EUR/MWh';
  const u = String(text).replace(/\s+/g, '');
  if (!/^[A-Z]{3}\/[kM]?Wh$/.test(u)) throw invalid('unit', `"${String(text)}" is not a price unit such as EUR / MWh`);
  return u;
}

/** The most common step between timestamps (ms). */
function commonStep(times: number[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < times.length; i++) counts.set(times[i] - times[i - 1], (counts.get(times[i] - times[i - 1]) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 3_600_000;
}

/**
 * The energy-charts `/price` answer (`{unix_seconds: [...], price: [...], unit}`) as one price series of
 * the zone. Slots missing between the first and last timestamp are gaps; a time off the grid, a duplicate or a
 * non-number is rejected with its position (1-based).
 */
export function parseEnergyChartsPrices(text: string, zone: string): ParseResult {
  let doc: { unix_seconds?: unknown; price?: unknown; unit?: unknown };
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw invalid('body', `not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc?.unix_seconds) || !Array.isArray(doc.price)) throw invalid('body', 'expected {unix_seconds: [...], price: [...]}');
  if (doc.unix_seconds.length !== doc.price.length) throw invalid('price', `${doc.price.length} prices for ${doc.unix_seconds.length} timestamps`);
  const unit = unitOf(doc.unit);
  const times = (doc.unix_seconds as unknown[]).map((t) => Number(t) * 1000);
  if (times.length === 0) return { series: [], rejected: [] };
  const step = commonStep(times);
  const start = times[0];
  const values: (number | null)[] = new Array(Math.round((times[times.length - 1] - start) / step) + 1).fill(null);
  const rejected: ParseResult['rejected'] = [];
  const seen = new Set<number>();
  times.forEach((t, i) => {
    const p = (doc.price as unknown[])[i];
    const k = (t - start) / step;
    if (!Number.isInteger(k) || k < 0 || k >= values.length) rejected.push({ line: i + 1, reason: `unix_seconds[${i}] ${t / 1000} is off the ${step / 60_000}-min grid` });
    else if (seen.has(k)) rejected.push({ line: i + 1, reason: `unix_seconds[${i}] ${t / 1000} is a duplicate` });
    else if (p === null) seen.add(k);
    else if (typeof p !== 'number' || !Number.isFinite(p)) rejected.push({ line: i + 1, reason: `price[${i}] "${String(p)}" is not a number` });
    else {
      seen.add(k);
      values[k] = p;
    }
  });
  return { series: [{ key: zone, quantity: 'price', unit, resolutionMs: step, start, values }], rejected };
}
