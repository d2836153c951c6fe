/** Builds a `Store` over a `Db`: the repositories share it, and a transaction gets its own. */
import type { Db } from './db.ts';
import type { Store } from './types.ts';
import { accountsRepo } from './repos/accounts.ts';
import { usersRepo } from './repos/users.ts';
import { tokensRepo } from './repos/tokens.ts';
import { sitesRepo } from './repos/sites.ts';
import { assetsRepo } from './repos/assets.ts';
import { sensorsRepo } from './repos/sensors.ts';
import { sourcesRepo } from './repos/sources.ts';
import { beliefsRepo } from './repos/beliefs.ts';
import { retentionRepo } from './repos/retention.ts';

export function storeOver(db: Db, close: () => Promise<void>): Store & { readonly db: Db } {
  return {
    kind: db.kind,
    db,
    query: (sql, params, opts) => db.query(sql, params, opts),
    transaction: (fn) => db.transaction((tx) => fn(storeOver(tx, async () => undefined))),
    accounts: accountsRepo(db),
    users: usersRepo(db),
    tokens: tokensRepo(db),
    sites: sitesRepo(db),
    assets: assetsRepo(db),
    sensors: sensorsRepo(db),
    sources: sourcesRepo(db),
    beliefs: beliefsRepo(db),
    retention: retentionRepo(db),
    close,
  };
}
