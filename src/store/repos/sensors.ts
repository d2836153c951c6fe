import type { Db } from '../db.ts';
import { ms, num, numOrNull } from '../db.ts';
import type { Id, Scope, Sensor, Store } from '../types.ts';
import { invalid, notFound } from '../../core/errors.ts';
import { QUANTITIES, converter, unitFits, type Quantity } from '../../core/units.ts';
import { Params, scopeWhere, inScope } from './sql.ts';

export type SensorRow = {
  id: number; account_id: number; name: string; quantity: Quantity; unit: string; resolution_ms: string | number;
  site_id: number | null; asset_id: number | null; price_zone: string | null; retention_ms: string | number | null; created_at: Date;
  timezone: string | null;
};
/** Sensors with the time zone of their site, in one statement: the zone sets the grid slots align to. */
export const SENSOR_WITH_ZONE = (from: string) => `SELECT s.*, st.timezone FROM ${from} s LEFT JOIN sites st ON st.id = s.site_id`;
export const toSensor = (r: SensorRow): Sensor => ({
  id: r.id, accountId: r.account_id, name: r.name, quantity: r.quantity, unit: r.unit, resolutionMs: num(r.resolution_ms),
  siteId: r.site_id, assetId: r.asset_id, priceZone: r.price_zone, retentionMs: numOrNull(r.retention_ms), createdAt: ms(r.created_at),
  timezone: r.timezone ?? 'UTC',
});

function checkRetention(v: unknown): void {
  if (v !== null && v !== undefined && !(Number.isInteger(v) && (v as number) > 0)) throw invalid('retentionMs', 'must be a positive whole number of milliseconds, or null to keep');
}

/** The account a new sensor belongs to: its asset's, its site's, or the given one (for market sensors). */
async function owningAccount(db: Db, scope: Scope, input: { siteId?: Id | null; assetId?: Id | null; accountId?: Id }): Promise<{ accountId: Id; siteId: Id | null }> {
  if (input.assetId != null) {
    const p = new Params();
    const rows = await db.query<{ account_id: number; site_id: number }>(`SELECT account_id, site_id FROM assets WHERE id = ${p.add(input.assetId)} AND ${scopeWhere(scope, 'account_id', p)}`, p.values);
    if (!rows[0]) throw notFound('asset');
    if (input.siteId != null && input.siteId !== rows[0].site_id) throw invalid('siteId', `asset ${input.assetId} belongs to site ${rows[0].site_id}`);
    return { accountId: rows[0].account_id, siteId: rows[0].site_id };
  }
  if (input.siteId != null) {
    const p = new Params();
    const rows = await db.query<{ account_id: number }>(`SELECT account_id FROM sites WHERE id = ${p.add(input.siteId)} AND ${scopeWhere(scope, 'account_id', p)}`, p.values);
    if (!rows[0]) throw notFound('site');
    return { accountId: rows[0].account_id, siteId: input.siteId };
  }
  const accountId = input.accountId ?? (scope === 'all' ? undefined : scope.accountId);
  if (accountId === undefined) throw invalid('accountId', 'a sensor without a site or asset needs an account');
  if (!inScope(scope, accountId)) throw notFound('account');
  return { accountId, siteId: null };
}

export function sensorsRepo(db: Db): Store['sensors'] {
  const repo: Store['sensors'] = {
    async create(scope, input) {
      if (typeof input.name !== 'string' || input.name.trim() === '') throw invalid('name', 'a sensor needs a name');
      if (!QUANTITIES.includes(input.quantity)) throw invalid('quantity', `must be one of ${QUANTITIES.join(', ')}`);
      if (!unitFits(input.quantity, input.unit)) throw invalid('unit', `"${input.unit}" is not a unit of ${input.quantity}`);
      if (!Number.isInteger(input.resolutionMs) || input.resolutionMs <= 0) throw invalid('resolution', 'must be a positive duration');
      checkRetention(input.retentionMs);
      const owner = await owningAccount(db, scope, input);
      const rows = await db
        .query<SensorRow>(
          `WITH ins AS (INSERT INTO sensors (account_id, name, quantity, unit, resolution_ms, site_id, asset_id, price_zone, retention_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *) ${SENSOR_WITH_ZONE('ins')}`,
          [owner.accountId, input.name.trim(), input.quantity, input.unit, input.resolutionMs, owner.siteId, input.assetId ?? null, input.priceZone ?? null, input.retentionMs ?? null],
        )
        .catch((e) => {
          if ((e as { code?: string }).code === '23503') throw notFound('account');
          throw e;
        });
      return toSensor(rows[0]);
    },
    async get(scope, id) {
      const p = new Params();
      const rows = await db.query<SensorRow>(`${SENSOR_WITH_ZONE('sensors')} WHERE s.id = ${p.add(id)} AND ${scopeWhere(scope, 's.account_id', p)}`, p.values);
      return rows[0] ? toSensor(rows[0]) : null;
    },
    async list(scope, filter = {}) {
      const p = new Params();
      let where = scopeWhere(scope, 's.account_id', p);
      for (const [key, column] of [['siteId', 'site_id'], ['assetId', 'asset_id'], ['priceZone', 'price_zone'], ['quantity', 'quantity'], ['accountId', 'account_id']]) {
        if (filter[key] !== undefined) where += ` AND s.${column} = ${p.add(filter[key])}`;
      }
      return (await db.query<SensorRow>(`${SENSOR_WITH_ZONE('sensors')} WHERE ${where} ORDER BY s.id`, p.values)).map(toSensor);
    },
    /** A new unit converts the stored beliefs too, in the same transaction, so their meaning stays. */
    async update(scope, id, patch) {
      checkRetention(patch.retentionMs);
      if (patch.name !== undefined && (typeof patch.name !== 'string' || patch.name.trim() === '')) throw invalid('name', 'a sensor needs a name');
      return db.transaction(async (tx) => {
        const p = new Params();
        const current = await tx.query<SensorRow>(`${SENSOR_WITH_ZONE('sensors')} WHERE s.id = ${p.add(id)} AND ${scopeWhere(scope, 's.account_id', p)} FOR UPDATE OF s`, p.values);
        if (!current[0]) return null;
        const sensor = toSensor(current[0]);
        if (patch.unit !== undefined && patch.unit !== sensor.unit) {
          if (!unitFits(sensor.quantity, patch.unit)) throw invalid('unit', `"${patch.unit}" is not a unit of ${sensor.quantity}`);
          const f = converter(sensor.unit, patch.unit);
          const scale = f(1) - f(0);
          await tx.query('UPDATE beliefs SET value = value * $1 + $2 WHERE sensor_id = $3', [scale, f(0), id]);
        }
        const rows = await tx.query<SensorRow>(
          `WITH up AS (UPDATE sensors SET name = $1, unit = $2, retention_ms = $3 WHERE id = $4 RETURNING *) ${SENSOR_WITH_ZONE('up')}`,
          [patch.name?.trim() ?? sensor.name, patch.unit ?? sensor.unit, patch.retentionMs === undefined ? sensor.retentionMs : patch.retentionMs, id],
        );
        return toSensor(rows[0]);
      });
    },
    async delete(scope, id) {
      const p = new Params();
      const rows = await db.query(`DELETE FROM sensors WHERE id = ${p.add(id)} AND ${scopeWhere(scope, 'account_id', p)} RETURNING id`, p.values);
      return rows.length > 0;
    },
  };
  return repo;
}
