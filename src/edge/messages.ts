/**
 * The MQTT messages between an agent and the platform, as zod schemas both sides validate with.
 * Topics: `<prefix>sites/<siteId>/up/<kind>` (agent -> platform) and `<prefix>sites/<siteId>/down` (platform -> agent).
 * Timestamps are ISO 8601 with an offset; power in kW (+ = consumption), energy in kWh, temperature in °C.
 */
import { z } from 'zod';

const Instant = z.iso.datetime({ offset: true });
const Id = z.string().min(1).max(120).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');
export const CHANNEL = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/;
const Channel = z.string().regex(CHANNEL, 'channel is device.measure, e.g. battery.power');
const Quantity = z.enum(['power', 'soc', 'temperature', 'energy', 'fraction']);
export const RESOLUTIONS = { PT30S: 30_000, PT5M: 300_000, PT1H: 3_600_000 } as const;
export type Resolution = keyof typeof RESOLUTIONS;

const Base = { id: Id, siteId: z.number().int().positive(), createdAt: Instant };

export const ChannelValues = z.object({
  channel: Channel,
  quantity: Quantity,
  unit: z.string().min(1).max(20),
  values: z.array(z.number().finite().nullable()).min(1).max(3600),
});
export type ChannelValues = z.infer<typeof ChannelValues>;

/** All readings of one 5-minute slot (or, after an outage, 5-minute or hourly means). Stored as beliefs. */
export const ReadingsMsg = z.object({ ...Base, kind: z.literal('readings'), start: Instant, resolution: z.enum(['PT30S', 'PT5M', 'PT1H']), channels: z.array(ChannelValues).min(1).max(64) });
export const SnapshotMsg = z.object({ ...Base, kind: z.literal('snapshot'), at: Instant, values: z.record(Channel, z.number().finite()) });
export const ChangeMsg = z.object({ ...Base, kind: z.literal('change'), at: Instant, channel: Channel, value: z.number().finite(), previous: z.number().finite(), ratingKw: z.number().positive() });
export const EventMsg = z.object({
  ...Base, kind: z.literal('event'), at: Instant,
  event: z.enum(['clamp', 'local-control', 'platform-control']),
  device: z.string().optional(), requestedKw: z.number().optional(), appliedKw: z.number().optional(), reason: z.string().max(500).optional(),
});
export const ContractUpMsg = z.object({ ...Base, kind: z.literal('contract'), contractId: Id, state: z.enum(['received', 'confirmed', 'active', 'completed', 'terminated']), reason: z.string().max(500).optional() });
export const HeartbeatMsg = z.object({ ...Base, kind: z.literal('heartbeat'), contractId: Id.optional(), control: z.enum(['local', 'platform']) });

export const UpMsg = z.discriminatedUnion('kind', [ReadingsMsg, SnapshotMsg, ChangeMsg, EventMsg, ContractUpMsg, HeartbeatMsg]);
export type UpMsg = z.infer<typeof UpMsg>;
export type ReadingsMsg = z.infer<typeof ReadingsMsg>;

export const OfferMsg = z.object({
  kind: z.literal('offer'), id: Id, createdAt: Instant, contractId: Id, device: z.string().min(1),
  start: Instant, durationMs: z.number().int().positive(), powerKw: z.array(z.number().finite()).min(1),
  heartbeatMs: z.number().int().positive(), graceMs: z.number().int().positive(),
});
export const DownHeartbeatMsg = z.object({ kind: z.literal('heartbeat'), id: Id, createdAt: Instant, contractId: Id });
export const TerminateMsg = z.object({ kind: z.literal('terminate'), id: Id, createdAt: Instant, contractId: Id, reason: z.string().max(500) });
export const SetpointMsg = z.object({ kind: z.literal('setpoint'), id: Id, createdAt: Instant, device: z.string().min(1), powerKw: z.number().finite() });
export const DownMsg = z.discriminatedUnion('kind', [OfferMsg, DownHeartbeatMsg, TerminateMsg, SetpointMsg]);
export type DownMsg = z.infer<typeof DownMsg>;

/** Topic helpers; `prefix` is '' or ends with '/'. */
export const topics = {
  up: (prefix: string, siteId: number, kind: string) => `${prefix}sites/${siteId}/up/${kind}`,
  down: (prefix: string, siteId: number) => `${prefix}sites/${siteId}/down`,
  allUp: (prefix: string) => `${prefix}sites/+/up/#`,
  /** The site id in an up topic, or null when the topic is not one. */
  siteOfUp(prefix: string, topic: string): number | null {
    if (!topic.startsWith(prefix)) return null;
    const m = /^sites\/(\d+)\/up\/[a-z]+$/.exec(topic.slice(prefix.length));
    return m ? Number(m[1]) : null;
  },
};

/** A readable list of what is wrong with a message: `field: message` per issue. */
export function issuesOf(err: z.ZodError): string {
  return err.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
}
