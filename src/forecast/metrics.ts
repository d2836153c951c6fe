/** Error sums for one horizon step (or all), turned into MAE, RMSE and sMAPE. */
export class ErrorSums {
  n = 0;
  abs = 0;
  sq = 0;
  smape = 0;

  add(forecast: number, actual: number): void {
    const e = forecast - actual;
    this.n++;
    this.abs += Math.abs(e);
    this.sq += e * e;
    const denom = Math.abs(forecast) + Math.abs(actual);
    this.smape += denom === 0 ? 0 : (200 * Math.abs(e)) / denom;
  }

  metrics(): Metrics {
    if (this.n === 0) return { count: 0, mae: NaN, rmse: NaN, smape: NaN };
    return { count: this.n, mae: this.abs / this.n, rmse: Math.sqrt(this.sq / this.n), smape: this.smape / this.n };
  }
}

export interface Metrics {
  count: number;
  mae: number;
  rmse: number;
  /** Symmetric mean absolute percentage error, 0..200 %. */
  smape: number;
}

/** Skill against a reference: 1 - MAE / MAE of the reference (1 = perfect, 0 = no better, < 0 = worse). */
export function skill(m: Metrics, reference: Metrics): number {
  return reference.mae > 0 ? 1 - m.mae / reference.mae : NaN;
}

/** Skill in squared error: 1 - MSE / MSE of the reference. */
export function skillRmse(m: Metrics, reference: Metrics): number {
  return reference.rmse > 0 ? 1 - (m.rmse * m.rmse) / (reference.rmse * reference.rmse) : NaN;
}
