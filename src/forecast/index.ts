export * from './types.ts';
export { persistence, seasonalNaive, expSmoothing, regression, method, METHODS, type MethodName } from './methods.ts';
export { dayAheadBacktest, type DayAheadSetup } from './dayahead.ts';
export { backtest, beliefsAsOf, replayBeliefs, type BacktestOptions, type BacktestReport, type MethodReport, type Scored } from './backtest.ts';
export { ErrorSums, skill, skillRmse, type Metrics } from './metrics.ts';
export { leastSquares } from './linalg.ts';
export { runForecast, backtestTable, type ForecastRequest, type ForecastResult } from './run.ts';
