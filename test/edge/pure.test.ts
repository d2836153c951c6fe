import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stepThermal, copOf } from '../../src/edge/thermal.ts';
import { clampSetpoint, inPeriods, localSetpoints, batteryWithin, type SiteLimits } from '../../src/edge/control.ts';
import { transition, dueEvent, contractProblems, contractPowerAt, type ContractTerms } from '../../src/edge/contract.ts';
import { compactBacklog } from '../../src/edge/downsample.ts';
import { rowsOfReadings } from '../../src/edge/ingest.ts';
import { contractsFromSchedule } from '../../src/edge/from-schedule.ts';
import { parseAgentConfig } from '../../src/edge/config.ts';
import type { ReadingsMsg } from '../../src/edge/messages.ts';
import { baseConfig } from './fixtures.ts';

const house = { lossKwPerK: 0.15, capacityKwhPerK: 3, storeLitres: 500, emitterKwPerK: 0.3, storeMinC: 30, storeMaxC: 55 };
const comfort = { minC: 20, maxC: 22, storeMinC: 30, storeMaxC: 55 };
const limits: SiteLimits = { heatPump: { minKw: 0, maxKw: 3 }, battery: { minKw: -5, maxKw: 5, capacityKwh: 10, minSocKwh: 1, maxSocKwh: 9.5 }, ev: { minKw: 1.4, maxKw: 11 } };
const state = { houseC: 21, storeC: 45, batterySocKwh: 5, pvKw: -2, baseLoadKw: 0.5, evConnected: false, heatPumpOn: false };

describe('thermal model', () => {
  it('a house without heat cools toward the outdoor temperature and never below it', () => {
    let s = { houseC: 21, storeC: 20 };
    for (let i = 0; i < 48; i++) s = stepThermal(house, s, { outdoorC: 5, heatPumpKw: 0, cop: 3, circulation: 0, hours: 1 });
    expect(s.houseC).toBeLessThan(12);
    expect(s.houseC).toBeGreaterThan(5);
  });
  it('energy balance: heat into the store = COP x electricity, minus what reaches the house', () => {
    const s = stepThermal(house, { houseC: 20, storeC: 40 }, { outdoorC: 20, heatPumpKw: 2, cop: 3, circulation: 0, hours: 1 });
    expect(s.storeC - 40).toBeCloseTo(6 / (500 * 1.163 / 1000), 5);
    expect(s.houseC).toBeCloseTo(20, 6);
  });
  it('COP falls as the lift grows', () => {
    expect(copOf(35, 10)).toBeGreaterThan(copOf(55, -10));
  });
});

describe('local control', () => {
  it('peak periods wrap midnight', () => {
    expect(inPeriods([{ from: '22:00', to: '06:00' }], 23 * 60)).toBe(true);
    expect(inPeriods([{ from: '22:00', to: '06:00' }], 7 * 60)).toBe(false);
  });
  it('charges the store off-peak and not in a peak unless needed for comfort', () => {
    expect(localSetpoints(comfort, limits, state, false, 1 / 120).heatPumpKw).toBe(3);
    expect(localSetpoints(comfort, limits, state, true, 1 / 120).heatPumpKw).toBe(0);
    expect(localSetpoints(comfort, limits, { ...state, storeC: 31 }, true, 1 / 120).heatPumpKw).toBe(3);
  });
  it('battery self-consumption: stores the PV surplus, covers the deficit', () => {
    const sp = localSetpoints(comfort, limits, { ...state, storeC: 55 }, true, 1 / 120);
    expect(sp.batteryKw).toBeCloseTo(1.5, 6);
    const night = localSetpoints(comfort, limits, { ...state, storeC: 55, pvKw: 0 }, true, 1 / 120);
    expect(night.batteryKw).toBeCloseTo(-0.5, 6);
  });
  it('property: the battery never leaves its power or energy limits', () => {
    fc.assert(fc.property(fc.double({ min: 1, max: 9.5, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: 0.001, max: 1, noNaN: true }), (soc, want, hours) => {
      const kw = batteryWithin(limits.battery, soc, want, hours);
      expect(kw).toBeGreaterThanOrEqual(limits.battery.minKw - 1e-9);
      expect(kw).toBeLessThanOrEqual(limits.battery.maxKw + 1e-9);
      const after = soc + kw * hours;
      expect(after).toBeGreaterThanOrEqual(limits.battery.minSocKwh - 1e-9);
      expect(after).toBeLessThanOrEqual(limits.battery.maxSocKwh + 1e-9);
    }));
  });
  it('a setpoint beyond a limit is clamped and the clamp says why', () => {
    const c = clampSetpoint('heat-pump', 9, comfort, limits, state, 1 / 120);
    expect(c).toMatchObject({ appliedKw: 3, clamped: true });
    expect(c.reason).toContain('0..3 kW');
    expect(clampSetpoint('heat-pump', 0, comfort, limits, { ...state, storeC: 31 }, 1 / 120)).toMatchObject({ appliedKw: 3, clamped: true });
    expect(clampSetpoint('battery', 2, comfort, limits, state, 1 / 120)).toEqual({ appliedKw: 2, clamped: false });
    expect(clampSetpoint('ev-charger', 7, comfort, limits, state, 1 / 120)).toMatchObject({ appliedKw: 0, clamped: true, reason: 'no vehicle connected' });
  });
});

describe('dispatch contract', () => {
  const t: ContractTerms = { id: 'c1', start: Date.UTC(2024, 9, 26, 10), durationMs: 30 * 60_000, powerKw: [1, 2, 3, 1, 2, 3], device: 'heat-pump', heartbeatMs: 30_000, graceMs: 90_000 };
  it('walks created -> received -> confirmed -> active -> completed', () => {
    let s = transition('created', { type: 'receive' });
    s = transition(s, { type: 'confirm' });
    expect(dueEvent(s, t, t.start - 1, t.start - 1)).toBeNull();
    s = transition(s, dueEvent(s, t, t.start, t.start)!);
    expect(s).toBe('active');
    expect(contractPowerAt(t, t.start + 11 * 60_000)).toBe(3);
    s = transition(s, dueEvent(s, t, t.start + t.durationMs, t.start + t.durationMs)!);
    expect(s).toBe('completed');
    expect(() => transition(s, { type: 'terminate', reason: 'x' })).toThrow(/already completed/);
  });
  it('terminates when the heartbeat is older than the grace period', () => {
    expect(dueEvent('active', t, t.start + 200_000, t.start + 110_000)).toBeNull();
    expect(dueEvent('active', t, t.start + 200_000, t.start + 110_000 - 1)).toMatchObject({ type: 'terminate', reason: 'heartbeat lost' });
  });
  it('refuses a start off the 5-minute grid', () => {
    expect(contractProblems({ ...t, start: t.start + 60_000 })).toContain('start: must be aligned to 5 minutes');
    expect(() => transition('completed', { type: 'start' })).toThrow(/cannot start/);
  });
});

function slot(siteId: number, start: number, v: number): ReadingsMsg {
  return { kind: 'readings', id: `s${siteId}-r-${start}`, siteId, createdAt: new Date(start + 300_000).toISOString(), start: new Date(start).toISOString(), resolution: 'PT30S', channels: [{ channel: 'battery.power', quantity: 'power', unit: 'kW', values: Array.from({ length: 10 }, (_, i) => v + i) }] };
}

describe('backlog downsampling', () => {
  const t0 = Date.UTC(2024, 0, 1);
  const backlog = Array.from({ length: 12 * 24 * 10 }, (_, i) => slot(1, t0 + i * 300_000, i % 7)); // 10 days of slots
  const now = t0 + 10 * 86_400_000;
  const keep = { fullMs: 86_400_000, fiveMinuteMs: 7 * 86_400_000, hourlyMs: 28 * 86_400_000, maxBytes: 1e9 };
  it('keeps a day at full resolution, a week of 5-minute means, then hourly means', () => {
    const out = compactBacklog(backlog, now + 1, keep);
    const by = (r: string) => out.filter((m) => m.resolution === r).length;
    expect(by('PT30S')).toBe(288);
    expect(by('PT5M')).toBe(288 * 6);
    expect(by('PT1H')).toBe(3 * 24);
    const five = out.find((m) => m.resolution === 'PT5M')!;
    expect(five.channels[0].values[0]).toBeCloseTo(((Date.parse(five.start) - t0) / 300_000) % 7 + 4.5, 9);
  });
  it('is deterministic and idempotent, so the platform can dedupe by id', () => {
    const once = compactBacklog(backlog, now, keep);
    expect(compactBacklog(once, now, keep)).toEqual(once);
  });
  it('the hourly mean equals the mean of the full-resolution readings (time-weighted)', () => {
    const out = compactBacklog(backlog, now, keep);
    const h = out.find((m) => m.resolution === 'PT1H')!;
    const inHour = backlog.filter((m) => Date.parse(m.start) >= Date.parse(h.start) && Date.parse(m.start) < Date.parse(h.start) + 3_600_000);
    const all = inHour.flatMap((m) => m.channels[0].values as number[]);
    expect(h.channels[0].values[0]).toBeCloseTo(all.reduce((a, b) => a + b, 0) / all.length, 9);
  });
  it('drops the oldest beyond 28 days and beyond the size cap', () => {
    const old = [slot(1, now - 29 * 86_400_000, 1), ...backlog];
    expect(compactBacklog(old, now, keep).some((m) => Date.parse(m.start) < now - 28 * 86_400_000)).toBe(false);
    const capped = compactBacklog(backlog, now, { ...keep, maxBytes: 50_000 });
    expect(JSON.stringify(capped).length).toBeLessThan(50_000 + capped.length);
    expect(capped.at(-1)!.id).toBe(backlog.at(-1)!.id);
  });
  it('rows of a 5-minute mean cover its ten 30-second slots with one belief time', () => {
    const out = compactBacklog(backlog, now, keep).find((m) => m.resolution === 'PT5M')!;
    const rows = rowsOfReadings(out);
    expect(rows).toHaveLength(10);
    expect(new Set(rows.map((r) => r.beliefTime)).size).toBe(1);
  });
});

describe('agent config', () => {
  it('names the wrong field', () => {
    const cfg = baseConfig('/tmp/x', 1, 'mqtt://127.0.0.1:1883');
    expect(() => parseAgentConfig({ ...cfg, broker: { url: 'http://x' } })).toThrow(/broker\.url/);
    expect(() => parseAgentConfig({ ...cfg, devices: { ...cfg.devices, battery: { ...cfg.devices.battery, initialSocKwh: 50 } } })).toThrow(/devices\.battery\.initialSocKwh/);
    expect(() => parseAgentConfig({ ...cfg, peaks: [{ from: '25:00', to: '03:00' }] })).toThrow(/peaks\.0\.from/);
    expect(parseAgentConfig(cfg).siteId).toBe(1);
  });
});

describe('contracts from a schedule', () => {
  const base = {
    status: 'optimal' as const, start: '2024-10-26T10:00:00Z', end: '2024-10-26T11:00:00Z', resolution: 'PT15M', currency: 'EUR',
    assets: [
      { id: 'hp', type: 'heat-pump', powerKw: [3, 0, 1.5, 2] },
      { id: 'pv', type: 'pv', powerKw: [-1, -2, -3, -4] },
      { id: 'bat', type: 'battery', powerKw: [-2, 2, 0, 5] },
    ],
    site: { importKw: [], exportKw: [] }, cost: { total: 0, energy: 0, peak: 0, cycle: 0, penalty: 0 }, baseline: { cost: 0 }, saving: 0, unmet: [],
    solver: { method: 'lp', timeMs: 1, mipGap: 0, timeLimitS: 1, mipRelGap: 0 },
  };
  it('one contract per steerable asset, from the next 5-minute boundary, each 15-minute slot as three 5-minute ones', () => {
    const now = Date.parse('2024-10-26T10:12:30Z');
    const cs = contractsFromSchedule(base, now, { idPrefix: 'x' });
    expect(cs.map((c) => c.device)).toEqual(['heat-pump', 'battery']);
    expect(cs[0].start).toBe(Date.parse('2024-10-26T10:15:00Z'));
    expect(cs[0].powerKw).toEqual([0, 0, 0, 1.5, 1.5, 1.5, 2, 2, 2]);
    expect(cs[0].durationMs).toBe(45 * 60_000);
    for (const c of cs) expect(contractProblems(c)).toEqual([]);
  });
  it('averages finer slots into 5-minute means', () => {
    const fine = { ...base, resolution: 'PT1M', assets: [{ id: 'hp', type: 'heat-pump', powerKw: Array.from({ length: 10 }, (_, i) => i) }] };
    expect(contractsFromSchedule(fine, Date.parse('2024-10-26T09:00:00Z'), { idPrefix: 'y' })[0].powerKw).toEqual([2, 7]);
  });
});
