import { invalid } from './errors.ts';

/** What a sensor measures. `soc` is a stored energy (kWh) that is a state, not a flow. */
export const QUANTITIES = ['power', 'energy', 'price', 'temperature', 'soc', 'fraction'] as const;
export type Quantity = (typeof QUANTITIES)[number];

export interface UnitInfo {
  quantity: Quantity | 'energy-or-soc';
  /** value in base unit = value * factor + offset. Base units: kW, kWh, currency/kWh, °C, fraction. */
  factor: number;
  offset: number;
  currency?: string;
  /** The canonical spelling of the unit. */
  unit: string;
}

const FIXED: Record<string, Omit<UnitInfo, 'unit'> & { unit?: string }> = {
  W: { quantity: 'power', factor: 0.001, offset: 0 },
  kW: { quantity: 'power', factor: 1, offset: 0 },
  MW: { quantity: 'power', factor: 1000, offset: 0 },
  Wh: { quantity: 'energy-or-soc', factor: 0.001, offset: 0 },
  kWh: { quantity: 'energy-or-soc', factor: 1, offset: 0 },
  MWh: { quantity: 'energy-or-soc', factor: 1000, offset: 0 },
  '°C': { quantity: 'temperature', factor: 1, offset: 0 },
  degC: { quantity: 'temperature', factor: 1, offset: 0, unit: '°C' },
  K: { quantity: 'temperature', factor: 1, offset: -273.15 },
  '%': { quantity: 'fraction', factor: 0.01, offset: 0 },
  fraction: { quantity: 'fraction', factor: 1, offset: 0 },
};

const PRICE = /^([A-Z]{3})\/(Wh|kWh|MWh)$/;
const CENT_PRICE = /^(?:([A-Z]{3}) ?)?(ct|c)\/(kWh|MWh)$/;
const PER_KWH: Record<string, number> = { Wh: 1000, kWh: 1, MWh: 0.001 };

/** Reads a unit: W/kW/MW, Wh/kWh/MWh, °C/K, %, `EUR/MWh`, `EUR/kWh`, `ct/kWh` (euro cents), `NZD ct/kWh`. */
export function parseUnit(unit: string, field = 'unit'): UnitInfo {
  if (typeof unit !== 'string' || unit === '') throw invalid(field, 'a unit is required');
  const fixed = FIXED[unit];
  if (fixed) return { ...fixed, unit: fixed.unit ?? unit };
  const price = PRICE.exec(unit);
  if (price) return { quantity: 'price', factor: PER_KWH[price[2]], offset: 0, currency: price[1], unit };
  const cents = CENT_PRICE.exec(unit);
  if (cents) return { quantity: 'price', factor: PER_KWH[cents[3]] / 100, offset: 0, currency: cents[1] ?? 'EUR', unit };
  throw invalid(field, `unknown unit "${unit}"; use W, kW, MW, Wh, kWh, MWh, °C, K, %, or a price such as EUR/MWh, EUR/kWh, ct/kWh`);
}

/** The base unit a quantity is stored in. Prices need their currency. */
export function baseUnit(quantity: Quantity, currency?: string): string {
  switch (quantity) {
    case 'power':
      return 'kW';
    case 'energy':
    case 'soc':
      return 'kWh';
    case 'price':
      return `${currency ?? 'EUR'}/kWh`;
    case 'temperature':
      return '°C';
    case 'fraction':
      return 'fraction';
  }
}

/** True when `unit` measures `quantity` (e.g. `MWh` for `energy` and `soc`). */
export function unitFits(quantity: Quantity, unit: string): boolean {
  try {
    const q = parseUnit(unit).quantity;
    return q === quantity || (q === 'energy-or-soc' && (quantity === 'energy' || quantity === 'soc'));
  } catch {
    return false;
  }
}

function sameQuantity(a: UnitInfo, b: UnitInfo): boolean {
  return a.quantity === b.quantity && a.currency === b.currency;
}

/**
 * A function converting values from one unit to another of the same quantity (and currency).
 * Throws a 400 naming `field` when they do not convert (kW to kWh, EUR to NZD).
 */
export function converter(from: string, to: string, field = 'unit'): (v: number) => number {
  const a = parseUnit(from, field);
  const b = parseUnit(to, field);
  if (!sameQuantity(a, b)) throw invalid(field, `"${from}" does not convert to "${to}"`);
  if (a.factor === b.factor && a.offset === b.offset) return (v) => v;
  const scale = a.factor / b.factor;
  const shift = (a.offset - b.offset) / b.factor;
  // Twelve significant digits: 100 EUR/MWh is 10 ct/kWh, not 10.000000000000002.
  return (v) => Number((v * scale + shift).toPrecision(12));
}

/** Converts an array of values (null and NaN stay missing). */
export function convertValues<T extends number | null>(values: readonly T[], from: string, to: string, field = 'unit'): (number | null)[] {
  const f = converter(from, to, field);
  return values.map((v) => (v === null || Number.isNaN(v) ? null : f(v as number)));
}
