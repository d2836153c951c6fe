/**
 * The validated, normalised problem: everything on the schedule's own time grid, in kW, kWh, hours and
 * currency per kWh. Slot i is [start + i·resolution, start + (i+1)·resolution); a state (SoC,
 * temperature) at index i is the state at the end of slot i.
 */
export interface Problem {
  start: number;
  resolutionMs: number;
  n: number;
  /** Slot length in hours. */
  dtH: number;
  timezone: string;
  currency: string;
  /** currency/kWh per slot */
  importPrice: Float64Array;
  exportPrice: Float64Array;
  importLimitKw: number;
  exportLimitKw: number;
  peakPricePerKw: number;
  assets: FlexAsset[];
}

export interface SocTarget {
  /** Index of the slot whose end the target applies to. */
  slot: number;
  at: number;
  minKwh?: number;
  maxKwh?: number;
}

export interface Battery {
  type: 'battery';
  id: string;
  capacityKwh: number;
  soc0: number;
  socMin: number;
  socMax: number;
  chargeMaxKw: number;
  dischargeMaxKw: number;
  etaCharge: number;
  etaDischarge: number;
  /** Fraction of the energy kept over one slot: (1 - standingLossPerHour)^dtH. */
  keep: number;
  targets: SocTarget[];
  cycleCostPerKwh: number;
}

export interface EvCharger {
  type: 'ev-charger';
  id: string;
  /** Fraction of each slot the car is plugged in (0..1). */
  plugged: Float64Array;
  /** Last slot (inclusive) before departure, clipped to the horizon. */
  departureSlot: number;
  arrival: number;
  departure: number;
  energyNeededKwh: number;
  /** What can still be charged after the horizon when the car leaves later (kWh in the car). */
  reachableAfterKwh: number;
  /** The part of the need that must be in the car by the end of the horizon: need − reachableAfterKwh. */
  needInHorizonKwh: number;
  maxKw: number;
  minKw: number;
  onOff: boolean;
  etaCharge: number;
  etaDischarge: number;
  bidirectional: boolean;
  dischargeMaxKw: number;
  /** Present when the car's battery is modelled (vehicle-to-grid, or a capacity given). */
  capacityKwh?: number;
  soc0?: number;
}

export interface Building {
  t0: number;
  heatLossKwPerK: number;
  capacityKwhPerK: number;
  outdoorC: Float64Array;
  minC: Float64Array;
  maxC: Float64Array;
}

export interface HeatBuffer {
  capacityKwh: number;
  state0: number;
  keep: number;
  demandKw: Float64Array;
}

export interface HeatPump {
  type: 'heat-pump';
  id: string;
  maxKw: number;
  minKw: number;
  cop: Float64Array;
  building?: Building;
  buffer?: HeatBuffer;
}

export interface ShiftableLoad {
  type: 'shiftable-load';
  id: string;
  profileKw: number[];
  /** First slot a step may use, and one past the last. */
  earliestSlot: number;
  endSlot: number;
  breakable: boolean;
  optional: boolean;
  maxCost: number;
}

export interface Pv {
  type: 'pv';
  id: string;
  /** Production as a positive number (the schedule reports it as negative power). */
  forecastKw: Float64Array;
  curtailable: boolean;
}

export interface InflexibleLoad {
  type: 'inflexible-load';
  id: string;
  forecastKw: Float64Array;
}

export type FlexAsset = Battery | EvCharger | HeatPump | ShiftableLoad | Pv | InflexibleLoad;
