/**
 * One-node thermal model of a house heated from a water thermal store by a heat pump. Pure: the caller passes
 * the outdoor temperature and the step length. Explicit Euler on two nodes (house air+mass, store water).
 */
export interface HouseParams {
  /** Heat loss of the house to outside, kW per K. */
  lossKwPerK: number;
  /** Heat capacity of the house, kWh per K. */
  capacityKwhPerK: number;
  /** Store water volume in litres (capacity 4.186 kJ/(kg K) = 1.163 Wh/(l K)). */
  storeLitres: number;
  /** Heat transfer from store to house when the circulation pump runs, kW per K of (store - house). */
  emitterKwPerK: number;
  /** Store limits, °C. */
  storeMinC: number;
  storeMaxC: number;
}

export interface ThermalState { houseC: number; storeC: number }

export interface ThermalInput {
  outdoorC: number;
  /** Electrical power of the heat pump, kW (>= 0). */
  heatPumpKw: number;
  /** Coefficient of performance for this step. */
  cop: number;
  /** 0..1: how far the circulation to the house is open. */
  circulation: number;
  /** Step, hours. */
  hours: number;
}

export function storeCapacityKwhPerK(p: HouseParams): number {
  return (p.storeLitres * 1.163) / 1000;
}

/** A simple COP curve: falls with the lift between store and outdoor temperature; at least 1. */
export function copOf(storeC: number, outdoorC: number): number {
  const lift = Math.max(5, storeC + 5 - outdoorC);
  return Math.max(1, Math.min(6, 0.45 * (storeC + 278.15) / lift));
}

/** Heat delivered to the house this step, kW, never more than the store holds above the house. */
export function emitterKw(p: HouseParams, s: ThermalState, circulation: number): number {
  return Math.max(0, p.emitterKwPerK * (s.storeC - s.houseC) * Math.min(1, Math.max(0, circulation)));
}

/** Advances the house and the store by one step. Sub-steps keep Euler stable for long steps. */
export function stepThermal(p: HouseParams, s: ThermalState, u: ThermalInput): ThermalState {
  const n = Math.max(1, Math.ceil(u.hours / (1 / 60)));
  const h = u.hours / n;
  let { houseC, storeC } = s;
  const storeCap = storeCapacityKwhPerK(p);
  for (let i = 0; i < n; i++) {
    const toHouse = emitterKw(p, { houseC, storeC }, u.circulation);
    const loss = p.lossKwPerK * (houseC - u.outdoorC);
    const heat = Math.max(0, u.heatPumpKw) * u.cop;
    houseC += ((toHouse - loss) * h) / p.capacityKwhPerK;
    storeC += ((heat - toHouse) * h) / storeCap;
  }
  return { houseC, storeC };
}
