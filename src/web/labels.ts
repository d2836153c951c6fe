/** Axis and legend wording: every axis names its quantity, its unit and, for power, the sign convention. */

const NAMES: Record<string, string> = {
  power: 'Power',
  energy: 'Energy',
  price: 'Price',
  temperature: 'Temperature',
  soc: 'State of charge',
  fraction: 'Fraction',
};

/** `Price (EUR/MWh)`, or for power and energy with the sign convention: `Power (kW) + consumed / − produced`. */
export function axisLabel(quantity: string, unit: string): string {
  const name = NAMES[quantity] ?? capitalise(quantity);
  const base = `${name} (${unit})`;
  if (hasSign(quantity)) return `${base} + consumed / − produced`;
  return base;
}

/** A number for a legend or summary: a few significant digits, a real minus sign, "–" for missing. */
export function formatValue(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  const text = v.toFixed(digits).replace('-', '−');
  return `${text} ${unit}`;
}

/** Count, missing slots, minimum, mean and maximum of a series, ignoring missing values. */
export function summarise(values: readonly (number | null)[]): { count: number; missing: number; min: number | null; mean: number | null; max: number | null } {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return count === 0
    ? { count, missing: values.length, min: null, mean: null, max: null }
    : { count, missing: values.length - count, min, mean: sum / count, max };
}

/** Quantities whose sign says the direction: positive for consumption, negative for production. */
export function hasSign(quantity: string): boolean {
  return quantity === 'power' || quantity === 'energy';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
