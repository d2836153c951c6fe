import type { Db } from '../db.ts';
import { ms } from '../db.ts';
import type { Site, Store, NewSite } from '../types.ts';
import { invalid, notFound } from '../../core/errors.ts';
import { isValidTimeZone } from '../../core/time.ts';
import { Params, scopeWhere, inScope, setClause } from './sql.ts';

type Row = {
  id: number; account_id: number; name: string; timezone: string; latitude: number | null; longitude: number | null;
  price_zone: string | null; import_capacity_kw: number | null; export_capacity_kw: number | null; created_at: Date;
};
const toSite = (r: Row): Site => ({
  id: r.id, accountId: r.account_id, name: r.name, timezone: r.timezone, latitude: r.latitude, longitude: r.longitude,
  priceZone: r.price_zone, importCapacityKw: r.import_capacity_kw, exportCapacityKw: r.export_capacity_kw, createdAt: ms(r.created_at),
});
const COLUMNS: Record<string, string> = {
  name: 'name', timezone: 'timezone', latitude: 'latitude', longitude: 'longitude', priceZone: 'price_zone',
  importCapacityKw: 'import_capacity_kw', exportCapacityKw: 'export_capacity_kw',
};

function checkNumber(field: string, v: unknown, min: number, max: number): void {
  if (v === null || v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw invalid(field, `must be a number from ${min} to ${max}`);
}

/** Validates the fields of a new site or a patch (only those present). */
export function checkSiteFields(s: Partial<NewSite>): void {
  if (s.name !== undefined && (typeof s.name !== 'string' || s.name.trim() === '')) throw invalid('name', 'a site needs a name');
  if (s.timezone !== undefined && (typeof s.timezone !== 'string' || !isValidTimeZone(s.timezone))) throw invalid('timezone', `"${s.timezone}" is not an IANA time zone`);
  checkNumber('latitude', s.latitude, -90, 90);
  checkNumber('longitude', s.longitude, -180, 180);
  checkNumber('importCapacityKw', s.importCapacityKw, 0, Number.MAX_VALUE);
  checkNumber('exportCapacityKw', s.exportCapacityKw, 0, Number.MAX_VALUE);
}

export function sitesRepo(db: Db): Store['sites'] {
  const repo: Store['sites'] = {
    async create(scope, input) {
      if (!inScope(scope, input.accountId)) throw notFound('account');
      if (input.name === undefined) throw invalid('name', 'a site needs a name');
      if (input.timezone === undefined) throw invalid('timezone', 'a site needs a time zone');
      checkSiteFields(input);
      const rows = await db
        .query<Row>(
          `INSERT INTO sites (account_id, name, timezone, latitude, longitude, price_zone, import_capacity_kw, export_capacity_kw)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
          [input.accountId, input.name.trim(), input.timezone, input.latitude ?? null, input.longitude ?? null, input.priceZone ?? null, input.importCapacityKw ?? null, input.exportCapacityKw ?? null],
        )
        .catch((e) => {
          if ((e as { code?: string }).code === '23503') throw notFound('account');
          throw e;
        });
      return toSite(rows[0]);
    },
    async get(scope, id) {
      const p = new Params();
      const rows = await db.query<Row>(`SELECT * FROM sites WHERE id = ${p.add(id)} AND ${scopeWhere(scope, 'account_id', p)}`, p.values);
      return rows[0] ? toSite(rows[0]) : null;
    },
    async list(scope, filter = {}) {
      const p = new Params();
      let where = scopeWhere(scope, 'account_id', p);
      if (filter.accountId !== undefined) where += ` AND account_id = ${p.add(filter.accountId)}`;
      if (filter.priceZone !== undefined) where += ` AND price_zone = ${p.add(filter.priceZone)}`;
      return (await db.query<Row>(`SELECT * FROM sites WHERE ${where} ORDER BY id`, p.values)).map(toSite);
    },
    async update(scope, id, patch) {
      checkSiteFields(patch);
      const p = new Params();
      const set = setClause(patch, COLUMNS, p, (k, v) => (k === 'name' ? String(v).trim() : v));
      if (!set) return repo.get(scope, id);
      const rows = await db.query<Row>(`UPDATE sites ${set} WHERE id = ${p.add(id)} AND ${scopeWhere(scope, 'account_id', p)} RETURNING *`, p.values);
      return rows[0] ? toSite(rows[0]) : null;
    },
    /** Deletes the site, its assets and sensors (foreign keys) and their beliefs (trigger on sensors). */
    async delete(scope, id) {
      const p = new Params();
      const rows = await db.query(`DELETE FROM sites WHERE id = ${p.add(id)} AND ${scopeWhere(scope, 'account_id', p)} RETURNING id`, p.values);
      return rows.length > 0;
    },
  };
  return repo;
}
