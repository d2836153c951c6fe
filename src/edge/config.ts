/** The agent's configuration file (`gridflex edge --config site.json`), validated with zod; errors name the field. */
import { z } from 'zod';
import { invalidMany } from '../core/errors.ts';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');
const Period = z.object({ from: HHMM, to: HHMM });
const Pos = z.number().positive();
const NonNeg = z.number().nonnegative();

export const AgentConfig = z.object({
  siteId: z.number().int().positive(),
  timezone: z.string().default('Europe/Berlin'),
  broker: z.object({
    url: z.string().regex(/^(mqtts?|wss?|tcp|ssl):\/\//, 'mqtt://, mqtts://, ws:// or wss:// URL'),
    username: z.string().optional(),
    password: z.string().optional(),
    /** PEM file of the CA for TLS (mqtts://). */
    caFile: z.string().optional(),
    topicPrefix: z.string().regex(/^([A-Za-z0-9_-]+\/)*$/, 'empty or segments ending with /').default(''),
  }),
  spool: z.object({
    dir: z.string().min(1),
    maxBytes: z.number().int().positive().default(64 * 1024 * 1024),
  }),
  simulation: z.object({
    start: z.iso.datetime({ offset: true }),
    /** Simulated seconds per real second. */
    speed: Pos.max(100_000).default(1),
    pvFile: z.string().default('../shared/data/pv-nrel-pvanalytics/serf_east_15min_ac_power.csv'),
    weatherFile: z.string().default('../shared/data/weather-de-brightsky/weatherforecast_brightsky_1.json'),
    /** Added to the recorded outdoor temperature (to test a colder week). */
    outdoorOffsetC: z.number().min(-40).max(40).default(0),
  }),
  devices: z.object({
    battery: z.object({ capacityKwh: Pos, maxChargeKw: Pos, maxDischargeKw: Pos, minSocKwh: NonNeg, maxSocKwh: Pos, initialSocKwh: NonNeg, efficiency: z.number().gt(0).max(1).default(0.95) })
      .refine((b) => b.minSocKwh < b.maxSocKwh && b.maxSocKwh <= b.capacityKwh, { message: 'needs minSocKwh < maxSocKwh <= capacityKwh', path: ['maxSocKwh'] })
      .refine((b) => b.initialSocKwh >= b.minSocKwh && b.initialSocKwh <= b.maxSocKwh, { message: 'must lie within minSocKwh..maxSocKwh', path: ['initialSocKwh'] }),
    evCharger: z.object({ maxKw: Pos, minKw: NonNeg, connected: z.array(Period).default([]) }).refine((e) => e.minKw <= e.maxKw, { message: 'must not exceed maxKw', path: ['minKw'] }),
    pv: z.object({ peakKw: Pos }),
    meter: z.object({ baseLoadKw: NonNeg.default(0.4) }),
    heatPump: z.object({
      maxKw: Pos,
      house: z.object({ lossKwPerK: Pos, capacityKwhPerK: Pos, storeLitres: Pos, emitterKwPerK: Pos }),
      initialHouseC: z.number().min(-20).max(40),
      initialStoreC: z.number().min(0).max(95),
    }),
  }),
  comfort: z.object({ minC: z.number(), maxC: z.number(), storeMinC: z.number(), storeMaxC: z.number().max(95) })
    .refine((c) => c.minC < c.maxC, { message: 'must be above minC', path: ['maxC'] })
    .refine((c) => c.storeMinC < c.storeMaxC, { message: 'must be above storeMinC', path: ['storeMaxC'] }),
  peaks: z.array(Period).default([{ from: '17:00', to: '20:00' }]),
  telemetry: z.object({ snapshotS: z.number().int().min(1).default(30), changeFraction: z.number().gt(0).max(1).default(0.02) }).default({ snapshotS: 30, changeFraction: 0.02 }),
  contract: z.object({ heartbeatS: z.number().int().min(1).default(30), graceS: z.number().int().min(1).default(90) }).default({ heartbeatS: 30, graceS: 90 }),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

/** Parses a config object; throws a 400 problem listing every wrong field by its path. */
export function parseAgentConfig(input: unknown): AgentConfig {
  const r = AgentConfig.safeParse(input);
  if (r.success) return r.data;
  throw invalidMany(r.error.issues.map((i) => ({ field: i.path.join('.') || '(config)', message: i.message })), `invalid agent config: ${r.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ')}`);
}
