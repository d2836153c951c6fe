import type { Command } from 'commander';
import { invalid, notFound } from '../../core/errors.ts';
import { formatDuration, parseDuration, parseInstant, formatInstant } from '../../core/time.ts';
import { unitFits, QUANTITIES, type Quantity } from '../../core/units.ts';
import { isValidTimeZone } from '../../core/time.ts';
import { ROLES, SOURCE_KINDS, type Role, type SourceKind, type Store } from '../../store/types.ts';
import { type GlobalOptions, output, table, withStore } from '../context.ts';

function num(field: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v)) throw invalid(field, `"${text}" is not a number`);
  return v;
}

async function accountByName(store: Store, name: string, create: boolean) {
  const found = await store.accounts.getByName(name);
  if (found) return { account: found, created: false };
  if (!create) throw notFound(`account "${name}"`);
  return { account: await store.accounts.create(name), created: true };
}

/** `migrate`, `users add`, `tokens create`, `sites add`, `sensors add`: the operator's commands on the database. */
export function adminCommands(program: Command, g: () => GlobalOptions): void {
  program.command('migrate').description('apply the database migrations (also done at every start)')
    .action(async () => withStore(g(), async (store) => {
      const { migrate } = await import('../../store/open.ts');
      const applied = await migrate(store);
      output(g(), { applied }, (d) => (d.applied.length ? `applied: ${d.applied.join(', ')}` : 'the database is up to date'));
    }));

  const users = program.command('users').description('manage users');
  users.command('add').description('add a user (creates the account when it does not exist)')
    .requiredOption('--email <email>', 'log-in email').requiredOption('--password <password>', 'at least 8 characters')
    .requiredOption('--account <name>', 'account name').option('--role <role>', `one of ${ROLES.join(', ')}`, 'member')
    .action(async (o: { email: string; password: string; account: string; role: string }) => withStore(g(), async (store) => {
      if (!(ROLES as readonly string[]).includes(o.role)) throw invalid('--role', `must be one of ${ROLES.join(', ')}`);
      if (o.password.length < 8) throw invalid('--password', 'at least 8 characters');
      if (await store.users.getByEmail(o.email)) throw invalid('--email', `a user with email ${o.email} exists`);
      const { account, created } = await accountByName(store, o.account, true);
      const user = await store.users.create('all', { accountId: account.id, email: o.email, password: o.password, role: o.role as Role });
      output(g(), { user, account, accountCreated: created }, (d) => `user ${d.user.id} ${d.user.email} (${d.user.role}) in account "${d.account.name}"${d.accountCreated ? ' (new)' : ''}`);
    }));
  users.command('list').description('list users').action(async () => withStore(g(), async (store) => {
    const list = await store.users.list('all');
    output(g(), list, (d) => table(d as unknown as Record<string, unknown>[], ['id', 'accountId', 'email', 'role']));
  }));

  program.command('tokens').description('manage API tokens').command('create').description('create an API token for a user; prints the secret once')
    .requiredOption('--email <email>', 'the user').requiredOption('--name <name>', 'a name to recognise it by')
    .option('--expires <iso>', 'expiry, ISO 8601 with offset')
    .action(async (o: { email: string; name: string; expires?: string }) => withStore(g(), async (store) => {
      const user = await store.users.getByEmail(o.email);
      if (!user) throw notFound(`user ${o.email}`);
      const now = Date.now();
      const expiresAt = o.expires ? parseInstant(o.expires, '--expires') : null;
      const { token, record } = await store.tokens.create(user.id, { name: o.name, expiresAt, kind: 'api' }, now);
      output(g(), { token, id: record.id, name: record.name, expiresAt: expiresAt === null ? null : formatInstant(expiresAt) }, (d) => `${d.token}\n(token ${d.id} "${d.name}"; shown once, store it safely)`);
    }));

  const sites = program.command('sites').description('manage sites');
  sites.command('add').description('add a site')
    .requiredOption('--account <name>', 'account name').requiredOption('--name <name>', 'site name')
    .requiredOption('--timezone <tz>', 'IANA time zone, e.g. Europe/Berlin')
    .option('--lat <deg>').option('--lon <deg>').option('--price-zone <zone>', 'e.g. DE-LU')
    .option('--import-kw <kw>', 'connection import capacity').option('--export-kw <kw>', 'connection export capacity')
    .action(async (o: Record<string, string | undefined>) => withStore(g(), async (store) => {
      if (!isValidTimeZone(o.timezone!)) throw invalid('--timezone', `"${o.timezone}" is not an IANA time zone`);
      const { account } = await accountByName(store, o.account!, false);
      const site = await store.sites.create('all', {
        accountId: account.id, name: o.name!, timezone: o.timezone!, latitude: num('--lat', o.lat) ?? null, longitude: num('--lon', o.lon) ?? null,
        priceZone: o.priceZone ?? null, importCapacityKw: num('--import-kw', o.importKw) ?? null, exportCapacityKw: num('--export-kw', o.exportKw) ?? null,
      });
      output(g(), site, (d) => `site ${d.id} "${d.name}" (${d.timezone})`);
    }));
  sites.command('list').description('list sites').action(async () => withStore(g(), async (store) => {
    output(g(), await store.sites.list('all'), (d) => table(d as unknown as Record<string, unknown>[], ['id', 'accountId', 'name', 'timezone', 'priceZone']));
  }));

  const sensors = program.command('sensors').description('manage sensors');
  sensors.command('add').description('add a sensor to a site, an asset or a price zone')
    .requiredOption('--name <name>').requiredOption('--quantity <q>', QUANTITIES.join(', ')).requiredOption('--unit <unit>', 'e.g. kW, kWh, EUR/MWh, °C')
    .requiredOption('--resolution <iso>', 'e.g. PT15M').option('--site <id>').option('--asset <id>').option('--price-zone <zone>')
    .option('--account <name>', 'account (for a price-zone sensor without site)').option('--retention <iso>', 'purge beliefs older than this, e.g. P30D')
    .action(async (o: Record<string, string | undefined>) => withStore(g(), async (store) => {
      if (!(QUANTITIES as readonly string[]).includes(o.quantity!)) throw invalid('--quantity', `must be one of ${QUANTITIES.join(', ')}`);
      if (!unitFits(o.quantity as Quantity, o.unit!)) throw invalid('--unit', `"${o.unit}" is not a unit of ${o.quantity}`);
      let siteId = o.site ? num('--site', o.site)! : null;
      const assetId = o.asset ? num('--asset', o.asset)! : null;
      if (assetId !== null) siteId = (await store.assets.get('all', assetId))?.siteId ?? null;
      if (siteId === null && !o.priceZone) throw invalid('--site', 'give --site, --asset or --price-zone');
      const site = siteId !== null ? await store.sites.get('all', siteId) : null;
      if (siteId !== null && !site) throw notFound(`site ${siteId}`);
      const accountId = site?.accountId ?? (o.account ? (await accountByName(store, o.account, false)).account.id : undefined);
      if (accountId === undefined) throw invalid('--account', 'a price-zone sensor without a site needs --account');
      const sensor = await store.sensors.create('all', {
        accountId, name: o.name!, quantity: o.quantity as Quantity, unit: o.unit!, resolutionMs: parseDuration(o.resolution!, '--resolution'),
        siteId, assetId, priceZone: o.priceZone ?? null, retentionMs: o.retention ? parseDuration(o.retention, '--retention') : null,
      });
      output(g(), sensor, (d) => `sensor ${d.id} "${d.name}" (${d.quantity}, ${d.unit}, ${o.resolution})`);
    }));
  sensors.command('list').description('list sensors').option('--site <id>').action(async (o: { site?: string }) => withStore(g(), async (store) => {
    const list = await store.sensors.list('all', o.site ? { siteId: Number(o.site) } : undefined);
    output(g(), list, (d) => table(d as unknown as Record<string, unknown>[], ['id', 'name', 'quantity', 'unit', 'resolutionMs', 'siteId', 'assetId', 'priceZone']));
  }));

  const retention = program.command('retention').description('how long beliefs are kept, per source kind (a sensor\'s own retention wins)');
  retention.command('show').description('show the retention per source kind').action(async () => withStore(g(), async (store) => {
    const all = await store.retention.getForSourceKinds();
    const rows = SOURCE_KINDS.map((k) => ({ sourceKind: k, retention: all[k] ? formatDuration(all[k]!) : null }));
    output(g(), rows, (d) => table(d, ['sourceKind', 'retention']));
  }));
  retention.command('set').description('set the retention of a source kind, e.g. --source-kind forecaster --keep P30D')
    .requiredOption('--source-kind <kind>', SOURCE_KINDS.join(', ')).requiredOption('--keep <iso>', 'ISO 8601 duration, or "forever"')
    .action(async (o: { sourceKind: string; keep: string }) => withStore(g(), async (store) => {
      if (!(SOURCE_KINDS as readonly string[]).includes(o.sourceKind)) throw invalid('--source-kind', `must be one of ${SOURCE_KINDS.join(', ')}`);
      const ms = o.keep === 'forever' ? null : parseDuration(o.keep, '--keep');
      await store.retention.setForSourceKind(o.sourceKind as SourceKind, ms);
      output(g(), { sourceKind: o.sourceKind, retention: ms === null ? null : formatDuration(ms) }, (d) => `${d.sourceKind}: ${d.retention ?? 'kept forever'}`);
    }));
}
