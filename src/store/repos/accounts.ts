import { forgetAuthenticated } from './tokens.ts';
import type { Db } from '../db.ts';
import { ms } from '../db.ts';
import type { Account, Id, Scope, Store } from '../types.ts';
import { invalid, conflict } from '../../core/errors.ts';
import { Params, scopeWhere } from './sql.ts';

type Row = { id: number; name: string; created_at: Date };
const toAccount = (r: Row): Account => ({ id: r.id, name: r.name, createdAt: ms(r.created_at) });

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalid('name', 'an account needs a name');
  return name.trim();
}

export function accountsRepo(db: Db): Store['accounts'] {
  return {
    async create(name) {
      const rows = await db.query<Row>('INSERT INTO accounts (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING *', [checkName(name)]);
      if (!rows[0]) throw conflict(`an account named "${name}" exists`);
      return toAccount(rows[0]);
    },
    async get(scope: Scope, id: Id) {
      const p = new Params();
      const rows = await db.query<Row>(`SELECT * FROM accounts WHERE id = ${p.add(id)} AND ${scopeWhere(scope, 'id', p)}`, p.values);
      return rows[0] ? toAccount(rows[0]) : null;
    },
    async list(scope: Scope) {
      const p = new Params();
      return (await db.query<Row>(`SELECT * FROM accounts WHERE ${scopeWhere(scope, 'id', p)} ORDER BY id`, p.values)).map(toAccount);
    },
    async update(scope, id, patch) {
      if (patch.name === undefined) return this.get(scope, id);
      const p = new Params();
      const sql = `UPDATE accounts SET name = ${p.add(checkName(patch.name))} WHERE id = ${p.add(id)} AND ${scopeWhere(scope, 'id', p)} RETURNING *`;
      const rows = await db.query<Row>(sql, p.values).catch(uniqueAsConflict(`an account named "${patch.name}" exists`));
      return rows[0] ? toAccount(rows[0]) : null;
    },
    async delete(scope, id) {
      const p = new Params();
      const rows = await db.query(`DELETE FROM accounts WHERE id = ${p.add(id)} AND ${scopeWhere(scope, 'id', p)} RETURNING id`, p.values);
      forgetAuthenticated(db);
      return rows.length > 0;
    },
    async getByName(name) {
      const rows = await db.query<Row>('SELECT * FROM accounts WHERE name = $1', [name]);
      return rows[0] ? toAccount(rows[0]) : null;
    },
  };
}

/** Turns a unique violation (SQLSTATE 23505) into a 409 with a message a person understands. */
export function uniqueAsConflict(message: string) {
  return (e: unknown): never => {
    if ((e as { code?: string }).code === '23505') throw conflict(message);
    throw e;
  };
}
