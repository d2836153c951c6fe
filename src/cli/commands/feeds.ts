import type { Command } from 'commander';
import { invalid, notFound } from '../../core/errors.ts';
import { formatDuration, formatInstant, parseDuration } from '../../core/time.ts';
import { feedOut } from '../../ingest/capability.ts';
import { FEED_KINDS } from '../../ingest/feeds/connectors.ts';
import { feedsRepo } from '../../ingest/feeds/repo.ts';
import { runFeed } from '../../ingest/feeds/run.ts';
import { type GlobalOptions, output, table, withStore } from '../context.ts';

interface AddOptions {
  account: string; name: string; kind: string; zone?: string; sequence?: string; schedule?: string; nodes?: string;
  token?: string; clientId?: string; clientSecret?: string; baseUrl?: string; interval?: string; disabled?: boolean;
}

/** The connector's config and secrets from the options (secrets also from ENTSOE_TOKEN, WITS_CLIENT_ID, WITS_CLIENT_SECRET). */
function configOf(o: AddOptions): { config: Record<string, unknown>; secrets: Record<string, unknown> } {
  const base = o.baseUrl ? { baseUrl: o.baseUrl } : {};
  if (o.kind === 'entsoe') {
    return {
      config: { zone: o.zone, ...(o.sequence ? { sequence: Number(o.sequence) } : {}), ...base },
      secrets: { token: o.token ?? process.env.ENTSOE_TOKEN },
    };
  }
  if (o.kind === 'wits') {
    return {
      config: { schedule: o.schedule ?? 'PRSS', ...(o.nodes ? { nodes: o.nodes.split(',').map((s) => s.trim()) } : {}), ...base },
      secrets: { clientId: o.clientId ?? process.env.WITS_CLIENT_ID, clientSecret: o.clientSecret ?? process.env.WITS_CLIENT_SECRET },
    };
  }
  return { config: { zone: o.zone, ...base }, secrets: {} };
}

const statusRow = (f: ReturnType<typeof feedOut>) => ({
  id: f.id, account: f.accountId, name: f.name, kind: f.kind, every: f.interval, enabled: f.enabled ? 'yes' : 'no',
  'last success': f.status.lastSuccessAt ?? '-', failures: f.status.failures, 'next run': f.status.nextRunAt,
  'last error': f.status.lastError ? f.status.lastError.slice(0, 60) : '',
});

/** `feeds list | add | run ID`. */
export function feedCommands(program: Command, g: () => GlobalOptions): void {
  const feeds = program.command('feeds').description('price feeds (ENTSO-E day-ahead, WITS forecasts, energy-charts): list, add, run, remove');

  feeds.command('list', { isDefault: true }).description('every feed with its status')
    .action(async () => withStore(g(), async (store) => {
      const items = (await feedsRepo(store).list('all')).map(feedOut);
      output(g(), { items }, (d) => table(d.items.map(statusRow), ['id', 'account', 'name', 'kind', 'every', 'enabled', 'last success', 'failures', 'next run', 'last error']));
    }));

  feeds.command('add').description('add a feed to an account')
    .requiredOption('--account <name>', 'account').requiredOption('--name <name>', 'feed name')
    .requiredOption('--kind <kind>', FEED_KINDS.join(', '))
    .option('--zone <zone>', 'bidding zone (entsoe, energy-charts), e.g. DE-LU')
    .option('--sequence <n>', 'entsoe: keep one auction')
    .option('--schedule <s>', 'wits: PRSS (short-term, every 30 min) or PRSL (long-term, every 2 h)')
    .option('--nodes <list>', 'wits: grid nodes, comma-separated')
    .option('--token <token>', 'entsoe security token (default: ENTSOE_TOKEN)')
    .option('--client-id <id>', 'wits OAuth2 client id (default: WITS_CLIENT_ID)')
    .option('--client-secret <secret>', 'wits OAuth2 client secret (default: WITS_CLIENT_SECRET)')
    .option('--base-url <url>', 'another server than the public one')
    .option('--interval <iso>', 'how often (default per kind)')
    .option('--disabled', 'add without running it')
    .action(async (o: AddOptions) => withStore(g(), async (store) => {
      if (!(FEED_KINDS as readonly string[]).includes(o.kind)) throw invalid('--kind', `must be one of ${FEED_KINDS.join(', ')}`);
      const account = await store.accounts.getByName(o.account);
      if (!account) throw notFound(`account "${o.account}"`);
      const { config, secrets } = configOf(o);
      const feed = await feedsRepo(store).create({
        accountId: account.id, name: o.name, kind: o.kind, config, secrets, enabled: !o.disabled,
        intervalMs: o.interval ? parseDuration(o.interval, '--interval') : undefined,
      }, Date.now());
      output(g(), feedOut(feed), (f) => `feed ${f.id} "${f.name}" (${f.kind}, every ${f.interval}) added to account "${o.account}"`);
    }));

  feeds.command('remove').description('remove a feed (its stored prices stay)').argument('<id>', 'feed id')
    .action(async (id: string) => withStore(g(), async (store) => {
      if (!Number.isInteger(Number(id)) || !(await feedsRepo(store).delete('all', Number(id)))) throw notFound(`feed ${id}`);
      output(g(), { removed: Number(id) }, (d) => `feed ${d.removed} removed`);
    }));

  feeds.command('run').description('fetch a feed now, in this process').argument('<id>', 'feed id')
    .action(async (id: string) => withStore(g(), async (store) => {
      const feed = Number.isInteger(Number(id)) ? await feedsRepo(store).get('all', Number(id)) : null;
      if (!feed) throw notFound(`feed ${id}`);
      const r = await runFeed(store, feed, Date.now());
      output(g(), { ...r, nextRunAt: formatInstant(r.nextRunAt) }, (d) => d.ok
        ? [`feed ${d.feedId}: wrote ${d.written} values`, ...d.series.map((s) => `  ${s.key} -> sensor ${s.sensorId}: ${s.written}`), `next run ${d.nextRunAt}`].join('\n')
        : `feed ${d.feedId} failed: ${d.error}\nnext try ${d.nextRunAt} (every ${formatDuration(feed.intervalMs)} when it works)`);
      if (!r.ok) process.exitCode = 1;
    }));
}
