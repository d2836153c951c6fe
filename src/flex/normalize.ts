/**
 * Validates a schedule request and turns it into a `Problem` on one time grid in base units.
 * Every refusal is a 400 ProblemError naming the JSON path of the offending field.
 */
import type { z } from 'zod';
import { invalid, invalidMany } from '../core/errors.ts';
import { formatDuration, isAligned, isValidTimeZone, parseDuration, parseInstant } from '../core/time.ts';
import { parseUnit } from '../core/units.ts';
import { scheduleRequestSchema } from './schema.ts';
import type { BatteryInput, EvChargerInput, HeatPumpInput, InflexibleLoadInput, ParsedRequest, PvInput, ShiftableLoadInput, SeriesOrNumber } from './schema.ts';
import { seriesOnGrid, type Grid } from './series.ts';
import type { Battery, EvCharger, FlexAsset, HeatPump, InflexibleLoad, Problem, Pv, ShiftableLoad, SocTarget } from './types.ts';

/** `["assets", 1, "departure"]` → `assets[1].departure` */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(request)';
}

/** Parses the request shape with zod; every issue becomes a problem item naming its field. */
export function parseRequest(input: unknown): ParsedRequest {
  const parsed = scheduleRequestSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw invalidMany(parsed.error.issues.map((issue: z.core.$ZodIssue) => ({ field: jsonPath(issue.path), message: issue.message })));
}

/** Validates the request and builds the normalised problem. */
export function normalizeRequest(input: unknown): Problem {
  const req = parseRequest(input);
  const grid = gridOf(req);
  const currency = currencyOf(req.context.importPrice, req.context.priceUnit);
  const priceUnit = `${currency}/kWh`;
  const importPrice = seriesOnGrid(req.context.importPrice, grid, 'context.importPrice', priceUnit, req.context.priceUnit);
  const exportPrice = req.context.exportPrice === undefined ? new Float64Array(grid.n) : seriesOnGrid(req.context.exportPrice, grid, 'context.exportPrice', priceUnit, req.context.priceUnit);
  checkUniqueIds(req);
  const assets = req.assets.map((a, i) => normalizeAsset(a, grid, `assets[${i}]`));
  return {
    ...grid,
    dtH: grid.resolutionMs / 3_600_000,
    currency,
    importPrice,
    exportPrice,
    importLimitKw: req.context.importLimitKw ?? Infinity,
    exportLimitKw: req.context.exportLimitKw ?? Infinity,
    peakPricePerKw: req.context.peakPricePerKw,
    assets,
  };
}

function gridOf(req: ParsedRequest): Grid {
  if (!isValidTimeZone(req.timezone)) throw invalid('timezone', `"${req.timezone}" is not an IANA time zone such as Europe/Berlin`);
  const resolutionMs = parseDuration(req.resolution, 'resolution');
  const start = parseInstant(req.start, 'start');
  if (!isAligned(start, resolutionMs, req.timezone)) throw invalid('start', `${req.start} is not aligned to the resolution ${formatDuration(resolutionMs)} in ${req.timezone}`);
  let n: number;
  if (req.end !== undefined) {
    const end = parseInstant(req.end, 'end');
    if (end <= start) throw invalid('end', 'must be after start');
    if ((end - start) % resolutionMs !== 0) throw invalid('end', `the horizon must be a whole number of ${formatDuration(resolutionMs)} slots`);
    n = (end - start) / resolutionMs;
  } else if (req.slots !== undefined) n = req.slots;
  else throw invalid('end', 'give either end or slots');
  if (n > 100_000) throw invalid(req.end !== undefined ? 'end' : 'slots', `at most 100000 slots (got ${n})`);
  return { start, resolutionMs, n, timezone: req.timezone };
}

function currencyOf(price: SeriesOrNumber, priceUnit: string): string {
  const field = typeof price === 'number' ? 'context.priceUnit' : 'context.importPrice.unit';
  const info = parseUnit(typeof price === 'number' ? priceUnit : (price.unit ?? priceUnit), field);
  if (info.quantity !== 'price') throw invalid(field, `"${info.unit}" is not a price unit such as EUR/MWh`);
  return info.currency!;
}

function checkUniqueIds(req: ParsedRequest): void {
  const seen = new Set<string>();
  req.assets.forEach((a, i) => {
    if (seen.has(a.id)) throw invalid(`assets[${i}].id`, `"${a.id}" is used by another asset`);
    seen.add(a.id);
  });
}

function normalizeAsset(a: ParsedRequest['assets'][number], grid: Grid, field: string): FlexAsset {
  switch (a.type) {
    case 'battery':
      return normalizeBattery(a, grid, field);
    case 'ev-charger':
      return normalizeEv(a, grid, field);
    case 'heat-pump':
      return normalizeHeatPump(a, grid, field);
    case 'shiftable-load':
      return normalizeShiftable(a, grid, field);
    case 'pv':
      return normalizePv(a, grid, field);
    case 'inflexible-load':
      return normalizeInflexible(a, grid, field);
  }
}

function efficiencies(a: { chargeEfficiency?: number; dischargeEfficiency?: number; roundTripEfficiency?: number }, field: string): [number, number] {
  if (a.roundTripEfficiency !== undefined) {
    if (a.chargeEfficiency !== undefined || a.dischargeEfficiency !== undefined) throw invalid(`${field}.roundTripEfficiency`, 'give either roundTripEfficiency or chargeEfficiency and dischargeEfficiency, not both');
    const one = Math.sqrt(a.roundTripEfficiency);
    return [one, one];
  }
  return [a.chargeEfficiency ?? 1, a.dischargeEfficiency ?? 1];
}

function normalizeBattery(a: BatteryInput, grid: Grid, field: string): Battery {
  const socMax = a.socMaxKwh ?? a.capacityKwh;
  if (a.socKwh > a.capacityKwh) throw invalid(`${field}.socKwh`, `${a.socKwh} kWh is outside [0, capacityKwh ${a.capacityKwh}]`);
  if (socMax > a.capacityKwh) throw invalid(`${field}.socMaxKwh`, `${socMax} kWh exceeds capacityKwh ${a.capacityKwh}`);
  if (a.socMinKwh > socMax) throw invalid(`${field}.socMinKwh`, `${a.socMinKwh} kWh is above socMaxKwh ${socMax}`);
  const [etaCharge, etaDischarge] = efficiencies(a, field);
  const dtH = grid.resolutionMs / 3_600_000;
  const targets = a.socTargets.map((t, i) => socTarget(t, grid, `${field}.socTargets[${i}]`, a.capacityKwh));
  return {
    type: 'battery',
    id: a.id,
    capacityKwh: a.capacityKwh,
    soc0: a.socKwh,
    socMin: a.socMinKwh,
    socMax,
    chargeMaxKw: a.chargeMaxKw,
    dischargeMaxKw: a.dischargeMaxKw,
    etaCharge,
    etaDischarge,
    keep: Math.pow(1 - a.standingLossPerHour, dtH),
    targets,
    cycleCostPerKwh: a.cycleCostPerKwh,
  };
}

function socTarget(t: { at: string; minKwh?: number; maxKwh?: number }, grid: Grid, field: string, capacity: number): SocTarget {
  const at = parseInstant(t.at, `${field}.at`);
  const slot = Math.floor((at - grid.start) / grid.resolutionMs) - 1;
  if (slot < 0 || slot >= grid.n) throw invalid(`${field}.at`, `${t.at} is not inside the horizon (after start, at most end)`);
  if (t.minKwh === undefined && t.maxKwh === undefined) throw invalid(field, 'give minKwh, maxKwh or both');
  if (t.minKwh !== undefined && t.minKwh > capacity) throw invalid(`${field}.minKwh`, `${t.minKwh} kWh exceeds the capacity ${capacity} kWh`);
  if (t.minKwh !== undefined && t.maxKwh !== undefined && t.minKwh > t.maxKwh) throw invalid(`${field}.minKwh`, 'is above maxKwh');
  return { slot, at, minKwh: t.minKwh, maxKwh: t.maxKwh };
}

function normalizeEv(a: EvChargerInput, grid: Grid, field: string): EvCharger {
  const arrival = parseInstant(a.arrival, `${field}.arrival`);
  const departure = parseInstant(a.departure, `${field}.departure`);
  if (departure <= arrival) throw invalid(`${field}.departure`, `${a.departure} is not after arrival ${a.arrival}`);
  if (a.minKw > a.maxKw) throw invalid(`${field}.minKw`, `${a.minKw} kW is above maxKw ${a.maxKw}`);
  const modelsBattery = a.bidirectional || a.capacityKwh !== undefined;
  if (a.bidirectional && a.dischargeMaxKw === undefined) throw invalid(`${field}.dischargeMaxKw`, 'a bidirectional charger needs dischargeMaxKw');
  if (modelsBattery && a.capacityKwh === undefined) throw invalid(`${field}.capacityKwh`, 'vehicle-to-grid needs the car battery capacityKwh');
  if (modelsBattery && a.socKwh === undefined) throw invalid(`${field}.socKwh`, 'vehicle-to-grid needs the car state of charge socKwh at start');
  if (a.capacityKwh !== undefined && a.socKwh !== undefined && a.socKwh > a.capacityKwh) throw invalid(`${field}.socKwh`, `${a.socKwh} kWh is outside [0, capacityKwh ${a.capacityKwh}]`);
  const plugged = new Float64Array(grid.n);
  let departureSlot = -1;
  for (let i = 0; i < grid.n; i++) {
    const s = grid.start + i * grid.resolutionMs;
    const overlap = Math.min(departure, s + grid.resolutionMs) - Math.max(arrival, s);
    if (overlap > 0) {
      plugged[i] = overlap / grid.resolutionMs;
      departureSlot = i;
    }
  }
  const horizonEnd = grid.start + grid.n * grid.resolutionMs;
  const reachableAfterKwh = (a.maxKw * a.chargeEfficiency * Math.max(0, departure - Math.max(arrival, horizonEnd))) / 3_600_000;
  return {
    type: 'ev-charger',
    id: a.id,
    plugged,
    departureSlot,
    arrival,
    departure,
    energyNeededKwh: a.energyNeededKwh,
    reachableAfterKwh,
    needInHorizonKwh: Math.max(0, a.energyNeededKwh - reachableAfterKwh),
    maxKw: a.maxKw,
    minKw: a.minKw,
    onOff: a.mode === 'on-off',
    etaCharge: a.chargeEfficiency,
    etaDischarge: a.dischargeEfficiency ?? a.chargeEfficiency,
    bidirectional: a.bidirectional,
    dischargeMaxKw: a.bidirectional ? a.dischargeMaxKw! : 0,
    capacityKwh: modelsBattery ? a.capacityKwh : undefined,
    soc0: modelsBattery ? a.socKwh : undefined,
  };
}

function normalizeHeatPump(a: HeatPumpInput, grid: Grid, field: string): HeatPump {
  if (a.minElectricKw > a.maxElectricKw) throw invalid(`${field}.minElectricKw`, `${a.minElectricKw} kW is above maxElectricKw ${a.maxElectricKw}`);
  if (!a.building === !a.buffer) throw invalid(`${field}.building`, 'give either a building or a buffer');
  const cop = seriesOnGrid(a.cop, grid, `${field}.cop`, 'fraction');
  cop.forEach((c, i) => {
    if (!(c > 0)) throw invalid(`${field}.cop`, `slot ${i}: a COP must be more than zero`);
  });
  const dtH = grid.resolutionMs / 3_600_000;
  const hp: HeatPump = { type: 'heat-pump', id: a.id, maxKw: a.maxElectricKw, minKw: a.minElectricKw, cop };
  if (a.building) {
    const b = a.building;
    const f = `${field}.building`;
    if (dtH * b.heatLossKwPerK >= b.thermalCapacityKwhPerK) throw invalid(`${f}.thermalCapacityKwhPerK`, `too small for the heat loss at this resolution (capacity must exceed heatLossKwPerK × slot hours = ${dtH * b.heatLossKwPerK})`);
    const minC = seriesOnGrid(b.comfort.minC, grid, `${f}.comfort.minC`, '°C');
    const maxC = seriesOnGrid(b.comfort.maxC, grid, `${f}.comfort.maxC`, '°C');
    for (let i = 0; i < grid.n; i++) if (minC[i] > maxC[i]) throw invalid(`${f}.comfort.minC`, `slot ${i}: minC ${minC[i]} is above maxC ${maxC[i]}`);
    hp.building = {
      t0: b.temperatureC,
      heatLossKwPerK: b.heatLossKwPerK,
      capacityKwhPerK: b.thermalCapacityKwhPerK,
      outdoorC: seriesOnGrid(b.outdoorTemperatureC, grid, `${f}.outdoorTemperatureC`, '°C'),
      minC,
      maxC,
    };
  } else {
    const b = a.buffer!;
    const f = `${field}.buffer`;
    if (b.stateKwh > b.capacityKwh) throw invalid(`${f}.stateKwh`, `${b.stateKwh} kWh is outside [0, capacityKwh ${b.capacityKwh}]`);
    const demandKw = seriesOnGrid(b.heatDemandKw, grid, `${f}.heatDemandKw`, 'kW');
    demandKw.forEach((d, i) => {
      if (d < 0) throw invalid(`${f}.heatDemandKw`, `slot ${i}: a heat demand cannot be negative`);
    });
    hp.buffer = { capacityKwh: b.capacityKwh, state0: b.stateKwh, keep: Math.pow(1 - b.standingLossPerHour, dtH), demandKw };
  }
  return hp;
}

function normalizeShiftable(a: ShiftableLoadInput, grid: Grid, field: string): ShiftableLoad {
  const earliest = parseInstant(a.earliestStart, `${field}.earliestStart`);
  const latest = parseInstant(a.latestEnd, `${field}.latestEnd`);
  if (latest <= earliest) throw invalid(`${field}.latestEnd`, `${a.latestEnd} is not after earliestStart ${a.earliestStart}`);
  if (a.optional && a.maxCost === undefined) throw invalid(`${field}.maxCost`, 'an optional load needs maxCost (run only if it costs no more)');
  const earliestSlot = Math.max(0, Math.ceil((earliest - grid.start) / grid.resolutionMs));
  const endSlot = Math.min(grid.n, Math.floor((latest - grid.start) / grid.resolutionMs));
  return { type: 'shiftable-load', id: a.id, profileKw: a.profileKw, earliestSlot, endSlot, breakable: a.breakable, optional: a.optional, maxCost: a.maxCost ?? 0 };
}

function normalizePv(a: PvInput, grid: Grid, field: string): Pv {
  const forecastKw = seriesOnGrid(a.forecastKw, grid, `${field}.forecastKw`, 'kW');
  forecastKw.forEach((v, i) => {
    if (v < 0) throw invalid(`${field}.forecastKw`, `slot ${i}: give PV production as a positive number of kW`);
  });
  return { type: 'pv', id: a.id, forecastKw, curtailable: a.curtailable };
}

function normalizeInflexible(a: InflexibleLoadInput, grid: Grid, field: string): InflexibleLoad {
  return { type: 'inflexible-load', id: a.id, forecastKw: seriesOnGrid(a.forecastKw, grid, `${field}.forecastKw`, 'kW') };
}
