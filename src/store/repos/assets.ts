import type { Db } from '../db.ts';
import { ms } from '../db.ts';
import { ASSET_TYPES, type Asset, type AssetType, type Store } from '../types.ts';
import { invalid, notFound } from '../../core/errors.ts';
import { Params, scopeWhere } from './sql.ts';

type Row = { id: number; account_id: number; site_id: number; name: string; type: AssetType; flex_model: Record<string, unknown>; created_at: Date };
const toAsset = (r: Row): Asset => ({
  id: r.id, accountId: r.account_id, siteId: r.site_id, name: r.name, type: r.type,
  flexModel: typeof r.flex_model === 'string' ? JSON.parse(r.flex_model) : r.flex_model, createdAt: ms(r.created_at),
});

function checkFlexModel(v: unknown): Record<string, unknown> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalid('flexModel', 'must be a JSON object');
  return v as Record<string, unknown>;
}

export function assetsRepo(db: Db): Store['assets'] {
  const repo: Store['assets'] = {
    async create(scope, input) {
      if (typeof input.name !== 'string' || input.name.trim() === '') throw invalid('name', 'an asset needs a name');
      if (!ASSET_TYPES.includes(input.type)) throw invalid('type', `must be one of ${ASSET_TYPES.join(', ')}`);
      const flexModel = checkFlexModel(input.flexModel);
      const p = new Params();
      const site = await db.query<{ account_id: number }>(`SELECT account_id FROM sites WHERE id = ${p.add(input.siteId)} AND ${scopeWhere(scope, 'account_id', p)}`, p.values);
      if (!site[0]) throw notFound('site');
      const rows = await db.query<Row>('INSERT INTO assets (account_id, site_id, name, type, flex_model) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
        site[0].account_id, input.siteId, input.name.trim(), input.type, JSON.stringify(flexModel),
      ]);
      return toAsset(rows[0]);
    },
    async get(scope, id) {
      const p = new Params();
      const rows = await db.query<Row>(`SELECT * FROM assets WHERE id = ${p.add(id)} AND ${scopeWhere(scope, 'account_id', p)}`, p.values);
      return rows[0] ? toAsset(rows[0]) : null;
    },
    async list(scope, filter = {}) {
      const p = new Params();
      let where = scopeWhere(scope, 'account_id', p);
      if (filter.siteId !== undefined) where += ` AND site_id = ${p.add(filter.siteId)}`;
      if (filter.type !== undefined) where += ` AND type = ${p.add(filter.type)}`;
      return (await db.query<Row>(`SELECT * FROM assets WHERE ${where} ORDER BY id`, p.values)).map(toAsset);
    },
    async update(scope, id, patch) {
      const sets: string[] = [];
      const p = new Params();
      if (patch.name !== undefined) {
        if (typeof patch.name !== 'string' || patch.name.trim() === '') throw invalid('name', 'an asset needs a name');
        sets.push(`name = ${p.add(patch.name.trim())}`);
      }
      if (patch.flexModel !== undefined) sets.push(`flex_model = ${p.add(JSON.stringify(checkFlexModel(patch.flexModel)))}`);
      if (sets.length === 0) return repo.get(scope, id);
      const rows = await db.query<Row>(`UPDATE assets SET ${sets.join(', ')} WHERE id = ${p.add(id)} AND ${scopeWhere(scope, 'account_id', p)} RETURNING *`, p.values);
      return rows[0] ? toAsset(rows[0]) : null;
    },
    async delete(scope, id) {
      const p = new Params();
      const rows = await db.query(`DELETE FROM assets WHERE id = ${p.add(id)} AND ${scopeWhere(scope, 'account_id', p)} RETURNING id`, p.values);
      return rows.length > 0;
    },
  };
  return repo;
}
