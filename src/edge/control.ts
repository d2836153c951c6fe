/**
 * Local control rules of the agent, and the clamping of platform setpoints. Pure: the state, the limits and
 * the local time of day are passed in.
 */
export interface Limits { minKw: number; maxKw: number }

export interface ComfortConfig {
  /** Comfort band of the house, °C. */
  minC: number;
  maxC: number;
  /** Usable store band, °C. */
  storeMinC: number;
  storeMaxC: number;
}

/** A time-of-use peak period in local time, "HH:MM" to "HH:MM" (end exclusive; may wrap midnight). */
export interface Period { from: string; to: string }

export interface SiteState {
  houseC: number;
  storeC: number;
  batterySocKwh: number;
  pvKw: number;
  baseLoadKw: number;
  evConnected: boolean;
  heatPumpOn: boolean;
}

export interface SiteLimits {
  heatPump: Limits;
  battery: Limits & { capacityKwh: number; minSocKwh: number; maxSocKwh: number };
  ev: Limits;
}

export interface Setpoints { heatPumpKw: number; circulation: number; batteryKw: number; evKw: number }

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** True when the local minute of day lies in one of the periods. */
export function inPeriods(periods: Period[], minuteOfDay: number): boolean {
  return periods.some((p) => {
    const a = minutes(p.from);
    const b = minutes(p.to);
    return a <= b ? minuteOfDay >= a && minuteOfDay < b : minuteOfDay >= a || minuteOfDay < b;
  });
}

export function clamp(v: number, l: Limits): number {
  return Math.min(l.maxKw, Math.max(l.minKw, v));
}

/** Circulation to the house: open below the middle of the band, closed at its top. */
export function circulationFor(c: ComfortConfig, houseC: number): number {
  const mid = (c.minC + c.maxC) / 2;
  return Math.min(1, Math.max(0, (c.maxC - houseC) / Math.max(0.1, c.maxC - mid)));
}

/**
 * Heat pump: always run when the store is at its minimum or the house is below its band (safety); off-peak, fill
 * the store up to its maximum (with hysteresis); in a peak, run only for safety.
 */
export function heatPumpFor(c: ComfortConfig, s: SiteState, peak: boolean, limits: Limits): number {
  const safety = s.storeC <= c.storeMinC + 2 || (s.houseC < c.minC && s.storeC < c.storeMinC + 10);
  if (s.storeC >= c.storeMaxC) return 0;
  if (safety) return limits.maxKw;
  if (peak) return 0;
  const fill = s.heatPumpOn ? s.storeC < c.storeMaxC - 0.5 : s.storeC < c.storeMaxC - 5;
  return fill ? limits.maxKw : 0;
}

/** Battery power within its power and energy limits for one step of `hours`. */
export function batteryWithin(l: SiteLimits['battery'], socKwh: number, wantKw: number, hours: number): number {
  const room = (l.maxSocKwh - socKwh) / hours;
  const avail = (socKwh - l.minSocKwh) / hours;
  return Math.max(Math.max(l.minKw, -Math.max(0, avail)), Math.min(l.maxKw, Math.max(0, room), wantKw));
}

/** The agent's own plan for the next step (no contract, or the platform is gone). */
export function localSetpoints(c: ComfortConfig, limits: SiteLimits, s: SiteState, peak: boolean, hours: number): Setpoints {
  const heatPumpKw = heatPumpFor(c, s, peak, limits.heatPump);
  const evKw = s.evConnected ? limits.ev.maxKw : 0;
  const net = s.baseLoadKw + heatPumpKw + evKw + s.pvKw; // pvKw is negative (production)
  const batteryKw = batteryWithin(limits.battery, s.batterySocKwh, -net, hours);
  return { heatPumpKw, circulation: circulationFor(c, s.houseC), batteryKw, evKw };
}

export interface Clamped { appliedKw: number; clamped: boolean; reason?: string }

/** A platform setpoint for a device, held to its limits and (for the heat pump) to comfort safety. */
export function clampSetpoint(device: 'heat-pump' | 'battery' | 'ev-charger', requestedKw: number, c: ComfortConfig, limits: SiteLimits, s: SiteState, hours: number): Clamped {
  let applied: number;
  let reason: string | undefined;
  if (device === 'battery') {
    applied = batteryWithin(limits.battery, s.batterySocKwh, requestedKw, hours);
    if (applied !== requestedKw) reason = `battery limits ${limits.battery.minKw}..${limits.battery.maxKw} kW and state of charge ${s.batterySocKwh.toFixed(2)} kWh`;
  } else if (device === 'ev-charger') {
    applied = s.evConnected ? clamp(requestedKw, limits.ev) : 0;
    if (applied !== requestedKw) reason = s.evConnected ? `ev-charger limits ${limits.ev.minKw}..${limits.ev.maxKw} kW` : 'no vehicle connected';
  } else {
    applied = clamp(requestedKw, limits.heatPump);
    if (applied !== requestedKw) reason = `heat-pump limits ${limits.heatPump.minKw}..${limits.heatPump.maxKw} kW`;
    if (s.storeC >= c.storeMaxC && applied > 0) { applied = 0; reason = `store at its maximum ${c.storeMaxC} °C`; }
    else if ((s.storeC <= c.storeMinC + 2 || s.houseC < c.minC - 0.5) && applied < limits.heatPump.maxKw) {
      applied = limits.heatPump.maxKw;
      reason = 'comfort safety: house or store at the bottom of its band';
    }
  }
  return reason === undefined ? { appliedKw: applied, clamped: false } : { appliedKw: applied, clamped: true, reason };
}
