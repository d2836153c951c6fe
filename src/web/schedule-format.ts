/** Pure helpers of the schedule and forecast panels: money, stacking of power per asset, forecast error. */

/** `12.34 EUR`, with a real minus sign for a negative amount and no "−0.00". */
export function formatMoney(v: number, currency: string): string {
  const text = (Math.abs(v) < 0.005 ? 0 : v).toFixed(2).replace('-', '−');
  return `${text} ${currency}`;
}

/**
 * Where asset `k`'s bar starts in slot `i` when consumption stacks upward and production downward: the sum
 * of the earlier assets' values of the same sign.
 */
export function stackBase(series: readonly (readonly number[])[], k: number, i: number): number {
  const v = series[k][i] ?? 0;
  let base = 0;
  for (let j = 0; j < k; j++) {
    const w = series[j][i] ?? 0;
    if ((v >= 0 && w > 0) || (v < 0 && w < 0)) base += w;
  }
  return base;
}

/** The lowest and highest point of the stacked bars (0 included), for the y scale. */
export function stackedExtent(series: readonly (readonly number[])[]): [number, number] {
  let lo = 0;
  let hi = 0;
  const n = Math.max(0, ...series.map((s) => s.length));
  for (let i = 0; i < n; i++) {
    let up = 0;
    let down = 0;
    for (const s of series) {
      const v = s[i] ?? 0;
      if (v > 0) up += v;
      else down += v;
    }
    hi = Math.max(hi, up);
    lo = Math.min(lo, down);
  }
  return [lo, hi];
}

/** Mean absolute error of a forecast against what was measured, over the slots where both are known. */
export function meanAbsoluteError(actual: readonly (number | null)[], forecast: readonly (number | null)[]): { mae: number | null; slots: number } {
  let sum = 0;
  let slots = 0;
  const n = Math.min(actual.length, forecast.length);
  for (let i = 0; i < n; i++) {
    const a = actual[i];
    const f = forecast[i];
    if (a === null || a === undefined || f === null || f === undefined) continue;
    sum += Math.abs(a - f);
    slots++;
  }
  return { mae: slots ? sum / slots : null, slots };
}
