/**
 * What a forecasting method sees at one origin: the history known then, on a regular grid, and the slots
 * to forecast. Methods are pure functions of this input; they never see a value that was not known at the
 * origin, because the caller (the back-test, or the forecast job) builds the history as of that time.
 */
export interface ForecastInput {
  /** Values of slots 0 .. origin-1 as known at the origin (null = missing or not yet known). */
  history: ArrayLike<number | null>;
  /** Slot start of history[0], epoch ms. */
  start: number;
  resolutionMs: number;
  /** First slot to forecast, as an index on the same grid (>= history.length when there is a lead time). */
  first: number;
  /** Number of slots to forecast. */
  horizon: number;
  /** IANA zone for calendar features (slot of day, day of week); UTC when left out. */
  timeZone?: string;
  /** Extra regressors (e.g. temperature) per slot 0 .. first+horizon-1, as known at the origin. */
  regressors?: { name: string; values: ArrayLike<number | null> }[];
}

/** A forecasting method: `horizon` values (NaN where it cannot say). */
export type Forecaster = (input: ForecastInput) => Float64Array;

/** One belief: a value for a slot, as known at a belief time. */
export interface Belief {
  /** Slot index on the series' grid. */
  slot: number;
  beliefTime: number;
  value: number;
}
