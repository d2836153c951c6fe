import { hash, verify } from '@node-rs/argon2';
import { forgetAuthenticated } from './tokens.ts';
import type { Db } from '../db.ts';
import { ms } from '../db.ts';
import { ROLES, type Id, type Role, type Scope, type Store, type User } from '../types.ts';
import { invalid, notFound } from '../../core/errors.ts';
import { Params, scopeWhere, inScope } from './sql.ts';
import { uniqueAsConflict } from './accounts.ts';

type Row = { id: number; account_id: number; email: string; role: Role; created_at: Date; password_hash: string };
const toUser = (r: Row): User => ({ id: r.id, accountId: r.account_id, email: r.email, role: r.role, createdAt: ms(r.created_at) });

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const COLUMNS = 'id, account_id, email, role, created_at, password_hash';
/** Verified against when the email is unknown, so the answer takes as long as for a known one. */
let dummyHash: Promise<string> | undefined;

function checkEmail(email: unknown): string {
  if (typeof email !== 'string' || !EMAIL.test(email.trim())) throw invalid('email', 'not an email address');
  return email.trim();
}
function checkRole(role: unknown): Role {
  if (!ROLES.includes(role as Role)) throw invalid('role', `must be one of ${ROLES.join(', ')}`);
  return role as Role;
}
async function hashPassword(password: unknown): Promise<string> {
  if (typeof password !== 'string' || password.length < 8) throw invalid('password', 'at least 8 characters');
  return hash(password); // argon2id, the library's default algorithm
}

export function usersRepo(db: Db): Store['users'] {
  const repo: Store['users'] = {
    async create(scope: Scope, input) {
      if (!inScope(scope, input.accountId)) throw notFound('account');
      const email = checkEmail(input.email);
      const role = checkRole(input.role);
      const passwordHash = await hashPassword(input.password);
      const rows = await db
        .query<Row>(`INSERT INTO users (account_id, email, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`, [input.accountId, email, passwordHash, role])
        .catch((e) => {
          if ((e as { code?: string }).code === '23503') throw notFound('account');
          return uniqueAsConflict(`a user with email ${email} exists`)(e);
        });
      return toUser(rows[0]);
    },
    async get(scope, id: Id) {
      const p = new Params();
      const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM users WHERE id = ${p.add(id)} AND ${scopeWhere(scope, 'account_id', p)}`, p.values);
      return rows[0] ? toUser(rows[0]) : null;
    },
    async list(scope, filter = {}) {
      const p = new Params();
      let where = scopeWhere(scope, 'account_id', p);
      if (filter.accountId !== undefined) where += ` AND account_id = ${p.add(filter.accountId)}`;
      return (await db.query<Row>(`SELECT ${COLUMNS} FROM users WHERE ${where} ORDER BY id`, p.values)).map(toUser);
    },
    async update(scope, id, patch) {
      const sets: string[] = [];
      const p = new Params();
      if (patch.email !== undefined) sets.push(`email = ${p.add(checkEmail(patch.email))}`);
      if (patch.role !== undefined) sets.push(`role = ${p.add(checkRole(patch.role))}`);
      if (patch.password !== undefined) sets.push(`password_hash = ${p.add(await hashPassword(patch.password))}`);
      if (sets.length === 0) return repo.get(scope, id);
      const sql = `UPDATE users SET ${sets.join(', ')} WHERE id = ${p.add(id)} AND ${scopeWhere(scope, 'account_id', p)} RETURNING ${COLUMNS}`;
      const rows = await db.query<Row>(sql, p.values).catch(uniqueAsConflict(`a user with email ${patch.email} exists`));
      forgetAuthenticated(db);
      return rows[0] ? toUser(rows[0]) : null;
    },
    async delete(scope, id) {
      const p = new Params();
      const rows = await db.query(`DELETE FROM users WHERE id = ${p.add(id)} AND ${scopeWhere(scope, 'account_id', p)} RETURNING id`, p.values);
      forgetAuthenticated(db);
      return rows.length > 0;
    },
    async getByEmail(email) {
      const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [String(email).trim()]);
      return rows[0] ? toUser(rows[0]) : null;
    },
    async verifyPassword(email, password) {
      const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [String(email).trim()]);
      const row = rows[0];
      if (!row) {
        dummyHash ??= hash('not a real password');
        await verify(await dummyHash, String(password)).catch(() => false);
        return null;
      }
      const ok = await verify(row.password_hash, String(password)).catch(() => false);
      return ok ? toUser(row) : null;
    },
  };
  return repo;
}
