import { notFound } from '../../core/errors.ts';
import type { Id, Store } from '../../store/types.ts';
import type { Principal } from '../auth.ts';

/** The account a new object goes into: the caller's, or (admins only) the one they name. */
export async function targetAccount(store: Store, p: Principal, requested: Id | undefined): Promise<Id> {
  if (requested === undefined || requested === p.user.accountId) return p.user.accountId;
  if (p.scope !== 'all' || !(await store.accounts.get('all', requested))) throw notFound(`account ${requested}`);
  return requested;
}

/** 404 (never 403) unless the object exists within the caller's scope. */
export async function mustFind<T>(found: Promise<T | null>, what: string): Promise<T> {
  const v = await found;
  if (!v) throw notFound(what);
  return v;
}
