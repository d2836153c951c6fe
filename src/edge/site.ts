/**
 * The simulated site behind one driver interface: devices expose channels to read and take setpoints.
 * Battery, EV charger, PV (a recorded production shape), meter, and a heat pump filling a water store that
 * heats a house (`thermal.ts`) driven by a recorded outdoor temperature.
 */
import type { AgentConfig } from './config.ts';
import { copOf, stepThermal, type HouseParams } from './thermal.ts';
import { inPeriods, type SiteLimits, type SiteState } from './control.ts';

export interface ChannelReading { channel: string; quantity: 'power' | 'soc' | 'temperature'; unit: string; value: number; ratingKw?: number }

/** What every device driver offers: channels to read and setpoints to write. */
export interface Driver {
  readonly name: string;
  read(): ChannelReading[];
  /** Applies a setpoint (kW) and returns what the device will actually do. */
  write(powerKw: number): number;
}

export interface Environment { outdoorC: number; pvFraction: number; minuteOfDay: number }

export class SimulatedSite {
  socKwh: number;
  houseC: number;
  storeC: number;
  batteryKw = 0;
  evKw = 0;
  heatPumpKw = 0;
  circulation = 1;
  pvKw = 0;
  outdoorC = 10;
  minuteOfDay = 0;
  readonly house: HouseParams;
  readonly limits: SiteLimits;

  constructor(readonly cfg: AgentConfig) {
    const d = cfg.devices;
    this.socKwh = d.battery.initialSocKwh;
    this.houseC = d.heatPump.initialHouseC;
    this.storeC = d.heatPump.initialStoreC;
    this.house = { ...d.heatPump.house, storeMinC: cfg.comfort.storeMinC, storeMaxC: cfg.comfort.storeMaxC };
    this.limits = {
      heatPump: { minKw: 0, maxKw: d.heatPump.maxKw },
      battery: { minKw: -d.battery.maxDischargeKw, maxKw: d.battery.maxChargeKw, capacityKwh: d.battery.capacityKwh, minSocKwh: d.battery.minSocKwh, maxSocKwh: d.battery.maxSocKwh },
      ev: { minKw: d.evCharger.minKw, maxKw: d.evCharger.maxKw },
    };
  }

  evConnected(): boolean {
    return inPeriods(this.cfg.devices.evCharger.connected, this.minuteOfDay);
  }

  state(): SiteState {
    return { houseC: this.houseC, storeC: this.storeC, batterySocKwh: this.socKwh, pvKw: this.pvKw, baseLoadKw: this.cfg.devices.meter.baseLoadKw, evConnected: this.evConnected(), heatPumpOn: this.heatPumpKw > 0 };
  }

  /** Sets the environment for the coming step (before control decides). */
  observe(env: Environment): void {
    this.outdoorC = env.outdoorC;
    this.minuteOfDay = env.minuteOfDay;
    this.pvKw = -env.pvFraction * this.cfg.devices.pv.peakKw;
    if (!this.evConnected()) this.evKw = 0;
  }

  /** Advances the physics by `hours` with the setpoints in force. */
  step(hours: number): void {
    const eff = this.cfg.devices.battery.efficiency;
    const b = this.batteryKw;
    this.socKwh += (b >= 0 ? b * eff : b / eff) * hours;
    this.socKwh = Math.min(this.limits.battery.maxSocKwh, Math.max(this.limits.battery.minSocKwh, this.socKwh));
    const next = stepThermal(this.house, { houseC: this.houseC, storeC: this.storeC }, { outdoorC: this.outdoorC, heatPumpKw: this.heatPumpKw, cop: copOf(this.storeC, this.outdoorC), circulation: this.circulation, hours });
    this.houseC = next.houseC;
    this.storeC = next.storeC;
  }

  meterKw(): number {
    return this.cfg.devices.meter.baseLoadKw + this.batteryKw + this.evKw + this.heatPumpKw + this.pvKw;
  }

  /** The drivers, one per device. Writes hold each device to its hard limits. */
  drivers(): Driver[] {
    const l = this.limits;
    const clampTo = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
    return [
      { name: 'battery', read: () => [{ channel: 'battery.power', quantity: 'power', unit: 'kW', value: this.batteryKw, ratingKw: Math.max(l.battery.maxKw, -l.battery.minKw) }, { channel: 'battery.soc', quantity: 'soc', unit: 'kWh', value: this.socKwh }], write: (kw) => (this.batteryKw = clampTo(kw, l.battery.minKw, l.battery.maxKw)) },
      { name: 'ev-charger', read: () => [{ channel: 'ev-charger.power', quantity: 'power', unit: 'kW', value: this.evKw, ratingKw: l.ev.maxKw }], write: (kw) => (this.evKw = this.evConnected() ? clampTo(kw, kw > 0 ? l.ev.minKw : 0, l.ev.maxKw) : 0) },
      { name: 'pv', read: () => [{ channel: 'pv.power', quantity: 'power', unit: 'kW', value: this.pvKw, ratingKw: this.cfg.devices.pv.peakKw }], write: () => this.pvKw },
      { name: 'heat-pump', read: () => [{ channel: 'heat-pump.power', quantity: 'power', unit: 'kW', value: this.heatPumpKw, ratingKw: l.heatPump.maxKw }, { channel: 'house.temperature', quantity: 'temperature', unit: '°C', value: this.houseC }, { channel: 'store.temperature', quantity: 'temperature', unit: '°C', value: this.storeC }, { channel: 'outdoor.temperature', quantity: 'temperature', unit: '°C', value: this.outdoorC }], write: (kw) => (this.heatPumpKw = clampTo(kw, 0, l.heatPump.maxKw)) },
      { name: 'meter', read: () => [{ channel: 'meter.power', quantity: 'power', unit: 'kW', value: this.meterKw(), ratingKw: Math.max(1, this.cfg.devices.meter.baseLoadKw + l.battery.maxKw + l.ev.maxKw + l.heatPump.maxKw) }], write: () => this.meterKw() },
    ];
  }
}
