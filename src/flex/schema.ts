/**
 * The schedule request: flex context (prices, connection limits) and one flex model per asset type.
 * The same JSON shape is read by the library, the CLI and the API. Shape checks live here (zod);
 * checks that need the time grid (coverage, alignment, departure after arrival) live in `normalize.ts`.
 */
import { z } from 'zod';

const finite = z.number().finite();
const nonNegative = finite.min(0, 'must be zero or more');
const positive = finite.gt(0, 'must be more than zero');
const efficiency = finite.gt(0, 'an efficiency must be more than 0').max(1, 'an efficiency must be at most 1');
const fraction = finite.min(0, 'must be at least 0').lt(1, 'must be less than 1');
const timestamp = z.string().min(10, 'must be an ISO 8601 timestamp with an offset');

/** A time series: values from `start` (the request's start when absent) at its own resolution. */
export const seriesSchema = z.object({
  unit: z.string().optional(),
  resolution: z.string().optional(),
  start: timestamp.optional(),
  values: z.array(finite.nullable()).min(1, 'needs at least one value'),
});
export type SeriesInput = z.infer<typeof seriesSchema>;

/** A plain number is a constant over the horizon. */
export const seriesOrNumber = z.union([finite, seriesSchema]);
export type SeriesOrNumber = z.infer<typeof seriesOrNumber>;

export const contextSchema = z.object({
  importPrice: seriesOrNumber,
  exportPrice: seriesOrNumber.optional(),
  /** Unit of plain-number prices (series carry their own). */
  priceUnit: z.string().default('EUR/MWh'),
  importLimitKw: nonNegative.optional(),
  exportLimitKw: nonNegative.optional(),
  peakPricePerKw: nonNegative.default(0),
});

const base = { id: z.string().min(1, 'an asset needs an id') };

const socTarget = z.object({ at: timestamp, minKwh: nonNegative.optional(), maxKwh: nonNegative.optional() });

export const batterySchema = z.object({
  ...base,
  type: z.literal('battery'),
  capacityKwh: positive,
  socKwh: nonNegative,
  socMinKwh: nonNegative.default(0),
  socMaxKwh: nonNegative.optional(),
  chargeMaxKw: nonNegative,
  dischargeMaxKw: nonNegative,
  chargeEfficiency: efficiency.optional(),
  dischargeEfficiency: efficiency.optional(),
  roundTripEfficiency: efficiency.optional(),
  standingLossPerHour: fraction.default(0),
  socTargets: z.array(socTarget).default([]),
  cycleCostPerKwh: nonNegative.default(0),
});

export const evChargerSchema = z.object({
  ...base,
  type: z.literal('ev-charger'),
  arrival: timestamp,
  departure: timestamp,
  energyNeededKwh: nonNegative,
  maxKw: positive,
  minKw: nonNegative.default(0),
  mode: z.enum(['continuous', 'on-off']).default('continuous'),
  chargeEfficiency: efficiency.default(1),
  dischargeEfficiency: efficiency.optional(),
  bidirectional: z.boolean().default(false),
  dischargeMaxKw: nonNegative.optional(),
  capacityKwh: positive.optional(),
  socKwh: nonNegative.optional(),
});

const comfortBand = z.object({ minC: seriesOrNumber, maxC: seriesOrNumber });

export const buildingSchema = z.object({
  temperatureC: finite,
  heatLossKwPerK: positive,
  thermalCapacityKwhPerK: positive,
  outdoorTemperatureC: seriesOrNumber,
  comfort: comfortBand,
});

export const bufferSchema = z.object({
  capacityKwh: positive,
  stateKwh: nonNegative,
  standingLossPerHour: fraction.default(0),
  heatDemandKw: seriesOrNumber,
});

export const heatPumpSchema = z.object({
  ...base,
  type: z.literal('heat-pump'),
  maxElectricKw: positive,
  minElectricKw: nonNegative.default(0),
  cop: z.union([positive, seriesSchema]),
  building: buildingSchema.optional(),
  buffer: bufferSchema.optional(),
});

export const shiftableLoadSchema = z.object({
  ...base,
  type: z.literal('shiftable-load'),
  profileKw: z.array(nonNegative).min(1, 'a run needs at least one step'),
  earliestStart: timestamp,
  latestEnd: timestamp,
  breakable: z.boolean().default(false),
  optional: z.boolean().default(false),
  maxCost: nonNegative.optional(),
});

export const pvSchema = z.object({
  ...base,
  type: z.literal('pv'),
  forecastKw: seriesOrNumber,
  curtailable: z.boolean().default(false),
});

export const inflexibleLoadSchema = z.object({
  ...base,
  type: z.literal('inflexible-load'),
  forecastKw: seriesOrNumber,
});

export const assetSchema = z.discriminatedUnion('type', [
  batterySchema,
  evChargerSchema,
  heatPumpSchema,
  shiftableLoadSchema,
  pvSchema,
  inflexibleLoadSchema,
]);

export const scheduleRequestSchema = z.object({
  start: timestamp,
  end: timestamp.optional(),
  slots: z.number().int('must be a whole number').positive('must be more than zero').optional(),
  resolution: z.string().default('PT15M'),
  timezone: z.string().default('UTC'),
  context: contextSchema,
  assets: z.array(assetSchema).default([]),
});

export type ScheduleRequest = z.input<typeof scheduleRequestSchema>;
export type ParsedRequest = z.output<typeof scheduleRequestSchema>;
export type BatteryInput = z.output<typeof batterySchema>;
export type EvChargerInput = z.output<typeof evChargerSchema>;
export type HeatPumpInput = z.output<typeof heatPumpSchema>;
export type ShiftableLoadInput = z.output<typeof shiftableLoadSchema>;
export type PvInput = z.output<typeof pvSchema>;
export type InflexibleLoadInput = z.output<typeof inflexibleLoadSchema>;
export type AssetInput = z.output<typeof assetSchema>;
