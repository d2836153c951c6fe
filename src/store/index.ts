/** The store's public surface: open it, migrate it, read and write series through it. */
export { openStore, migrate, type OpenOptions } from './open.ts';
export { readSeries, writeSeries, type ReadSeriesOptions, type WriteSeriesOptions, type Series } from './series.ts';
export * from './types.ts';
