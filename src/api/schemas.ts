import { z } from 'zod';
import { isValidTimeZone, formatDuration, formatInstant, parseDuration } from '../core/time.ts';
import { QUANTITIES } from '../core/units.ts';
import { ASSET_TYPES, ROLES, SOURCE_KINDS, type Account, type ApiToken, type Asset, type Sensor, type Site, type Source, type User } from '../store/types.ts';

export const Id = z.coerce.number().int().positive();
export const IdParams = z.strictObject({ id: Id });
export const Timezone = z.string().refine(isValidTimeZone, { message: 'not an IANA time zone such as Europe/Berlin' });
export const Duration = z.string().refine((s) => {
  try {
    parseDuration(s);
    return true;
  } catch {
    return false;
  }
}, { message: 'not an ISO 8601 duration such as PT15M or PT1H' });
export const IsoTime = z.string().min(10).describe('ISO 8601 timestamp with UTC offset, e.g. 2024-03-01T00:00:00+01:00');

const iso = (ms: number | null) => (ms === null ? null : formatInstant(ms));

export const AccountOut = z.object({ id: z.number(), name: z.string(), createdAt: z.string() }).meta({ id: 'Account' });
export const accountOut = (a: Account) => ({ id: a.id, name: a.name, createdAt: formatInstant(a.createdAt) });

export const Role = z.enum(ROLES);
export const UserOut = z.object({ id: z.number(), accountId: z.number(), email: z.string(), role: Role, createdAt: z.string() }).meta({ id: 'User' });
export const userOut = (u: User) => ({ id: u.id, accountId: u.accountId, email: u.email, role: u.role, createdAt: formatInstant(u.createdAt) });

export const TokenOut = z.object({
  id: z.number(), name: z.string(), kind: z.enum(['api', 'session']), createdAt: z.string(),
  expiresAt: z.string().nullable(), revokedAt: z.string().nullable(), lastUsedAt: z.string().nullable(),
}).meta({ id: 'ApiToken' });
export const tokenOut = (t: ApiToken) => ({
  id: t.id, name: t.name, kind: t.kind, createdAt: formatInstant(t.createdAt),
  expiresAt: iso(t.expiresAt), revokedAt: iso(t.revokedAt), lastUsedAt: iso(t.lastUsedAt),
});

const siteFields = {
  name: z.string().min(1).max(200),
  timezone: Timezone,
  latitude: z.number().min(-90).max(90).nullable().optional(),
  longitude: z.number().min(-180).max(180).nullable().optional(),
  priceZone: z.string().min(1).max(100).nullable().optional(),
  importCapacityKw: z.number().nonnegative().nullable().optional(),
  exportCapacityKw: z.number().nonnegative().nullable().optional(),
};
export const SiteIn = z.strictObject({ ...siteFields, accountId: Id.optional().describe('admin only: the account to create it in') });
export const SitePatch = z.strictObject({ ...siteFields, name: siteFields.name.optional(), timezone: Timezone.optional() });
export const SiteOut = z.object({
  id: z.number(), accountId: z.number(), name: z.string(), timezone: z.string(),
  latitude: z.number().nullable(), longitude: z.number().nullable(), priceZone: z.string().nullable(),
  importCapacityKw: z.number().nullable(), exportCapacityKw: z.number().nullable(), createdAt: z.string(),
}).meta({ id: 'Site' });
export const siteOut = (s: Site) => ({ ...s, createdAt: formatInstant(s.createdAt) });

export const AssetType = z.enum(ASSET_TYPES);
export const AssetIn = z.strictObject({
  siteId: Id, name: z.string().min(1).max(200), type: AssetType,
  flexModel: z.record(z.string(), z.unknown()).default({}).describe('what the asset can do; fields per type, see docs/scheduling.md'),
});
export const AssetPatch = z.strictObject({ name: z.string().min(1).max(200).optional(), flexModel: z.record(z.string(), z.unknown()).optional() });
export const AssetOut = z.object({
  id: z.number(), accountId: z.number(), siteId: z.number(), name: z.string(), type: AssetType,
  flexModel: z.record(z.string(), z.unknown()), createdAt: z.string(),
}).meta({ id: 'Asset' });
export const assetOut = (a: Asset) => ({ ...a, createdAt: formatInstant(a.createdAt) });

export const Quantity = z.enum(QUANTITIES);
export const SensorIn = z.strictObject({
  name: z.string().min(1).max(200),
  quantity: Quantity,
  unit: z.string().min(1).max(40),
  resolution: Duration,
  siteId: Id.optional(), assetId: Id.optional(),
  priceZone: z.string().min(1).max(100).optional().describe('for a market price sensor, the bidding zone or grid node'),
  retention: Duration.nullable().optional().describe('beliefs older than this are purged'),
  accountId: Id.optional().describe('admin only'),
});
export const SensorPatch = z.strictObject({ name: z.string().min(1).max(200).optional(), retention: Duration.nullable().optional() });
export const SensorOut = z.object({
  id: z.number(), accountId: z.number(), name: z.string(), quantity: Quantity, unit: z.string(), resolution: z.string(),
  siteId: z.number().nullable(), assetId: z.number().nullable(), priceZone: z.string().nullable(),
  retention: z.string().nullable(), createdAt: z.string(),
}).meta({ id: 'Sensor' });
export const sensorOut = (s: Sensor) => ({
  id: s.id, accountId: s.accountId, name: s.name, quantity: s.quantity, unit: s.unit, resolution: formatDuration(s.resolutionMs),
  siteId: s.siteId, assetId: s.assetId, priceZone: s.priceZone,
  retention: s.retentionMs === null ? null : formatDuration(s.retentionMs), createdAt: formatInstant(s.createdAt),
});

export const SourceKind = z.enum(SOURCE_KINDS);
export const SourceOut = z.object({ id: z.number(), kind: SourceKind, name: z.string(), version: z.string() }).meta({ id: 'Source' });
export const sourceOut = (s: Source) => s;

export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const SeriesOut = z.object({
  start: z.string(), resolution: z.string(), unit: z.string(), values: z.array(z.number().nullable()),
}).meta({ id: 'Series' });
