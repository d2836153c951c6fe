export * from './schema.ts';
export * from './types.ts';
export { normalizeRequest, parseRequest, jsonPath } from './normalize.ts';
export { seriesOnGrid, type Grid } from './series.ts';
