import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { invalid, notFound } from '../../core/errors.ts';
import { parseInstant } from '../../core/time.ts';
import { runClearCommand } from '../../market/cli-clear.ts';
import { billsOf } from '../../market/store/bills.ts';
import { verifyMarketLedger } from '../../market/store/ledger.ts';
import { marketOut, marketsRepo } from '../../market/store/markets.ts';
import type { Store } from '../../store/types.ts';
import { type GlobalOptions, output, table, withStore, readJsonFile } from '../context.ts';


function marketId(text: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id <= 0) throw invalid('market', `must be a market id, not "${text}"`);
  return id;
}

async function accountIdOf(store: Store, name: string): Promise<number> {
  const a = await store.accounts.getByName(name);
  if (!a) throw notFound(`account "${name}"`);
  return a.id;
}

function price(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw invalid(field, `must be a number (currency per kWh), not "${text}"`);
  return v;
}

/** `market clear | create | list | members | bills` and `ledger verify`. */
export function marketCommands(program: Command, g: () => GlobalOptions): void {
  const market = program.command('market').description('local peer-to-peer markets: clear a book from a file, create, list, members, bills');

  market.command('clear').description('clear {orders: [{id, member, side, energyKwh, limitPrice}]} from a file and print price, volume and trades as JSON')
    .requiredOption('--input <file>', 'orders JSON file')
    .option('--mechanism <m>', 'pay-as-clear or pay-as-bid', 'pay-as-clear')
    .action((o: { input: string; mechanism: string }) => {
      const result = runClearCommand(readJsonFile(o.input, 'input'), o.mechanism);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });

  market.command('create').description('create a market in an account')
    .requiredOption('--account <name>', 'account').requiredOption('--name <name>', 'market name')
    .option('--slot <iso>', 'PT15M or PT1H', 'PT15M').option('--gate-closure <iso>', 'lead time before each slot', 'PT5M')
    .requiredOption('--time-zone <tz>', 'IANA time zone of the slot grid').option('--currency <code>', 'ISO 4217', 'EUR')
    .option('--mechanism <m>', 'pay-as-clear or pay-as-bid', 'pay-as-clear')
    .requiredOption('--retail-price <p>', 'grid import price per kWh').requiredOption('--feed-in-tariff <p>', 'grid export price per kWh')
    .option('--local-grid-fee <p>', 'fee per locally traded kWh, paid by the buyer', '0')
    .action(async (o: Record<string, string>) => withStore(g(), async (store) => {
      const accountId = await accountIdOf(store, o.account);
      const m = await marketsRepo(store).create(accountId, {
        name: o.name, slot: o.slot, gateClosure: o.gateClosure, timeZone: o.timeZone, currency: o.currency, mechanism: o.mechanism,
        retailPrice: price(o.retailPrice, 'retailPrice')!, feedInTariff: price(o.feedInTariff, 'feedInTariff')!, localGridFee: price(o.localGridFee, 'localGridFee'),
      }, Date.now());
      output(g(), marketOut(m), (d) => `market ${d.id} "${d.name}" created (${d.slot} slots, gate ${d.gateClosure} before, ${d.mechanism})`);
    }));

  market.command('list', { isDefault: true }).description('every market')
    .action(async () => withStore(g(), async (store) => {
      const items = (await marketsRepo(store).list('all')).map(marketOut);
      output(g(), { items }, (d) => table(d.items.map((m) => ({ id: m.id, account: m.accountId, name: m.name, slot: m.slot, gate: m.gateClosure, mechanism: m.mechanism, currency: m.currency, retail: m.retailPrice, 'feed-in': m.feedInTariff, fee: m.localGridFee, 'ledger entries': m.ledgerHead ? m.ledgerHead.sequence + 1 : 0 })),
        ['id', 'account', 'name', 'slot', 'gate', 'mechanism', 'currency', 'retail', 'feed-in', 'fee', 'ledger entries']));
    }));

  market.command('member').description("add a site of the market's account as member (or change its meter)")
    .requiredOption('--market <id>', 'market id').requiredOption('--site <id>', 'site id')
    .option('--meter-sensor <id>', 'energy or power sensor of the site (positive import)')
    .option('--meter-key <file>', "PEM file of the meter's Ed25519 public key: its readings must then be signed")
    .action(async (o: { market: string; site: string; meterSensor?: string; meterKey?: string }) => withStore(g(), async (store) => {
      const repo = marketsRepo(store);
      const m = await repo.mustGet('all', marketId(o.market));
      const key = o.meterKey ? readFileSync(o.meterKey, 'utf8') : undefined;
      const member = await repo.putMember(m, { siteId: Number(o.site), meterSensorId: o.meterSensor ? Number(o.meterSensor) : undefined, meterPublicKey: key }, Date.now());
      output(g(), member, (d) => `site ${d.siteId} is a member of market ${m.dbId}${d.meterSensorId ? ` (meter sensor ${d.meterSensorId})` : ''}`);
    }));

  market.command('bills').description("each member's bill for a period")
    .requiredOption('--market <id>', 'market id').requiredOption('--from <iso>', 'period start, with offset').requiredOption('--to <iso>', 'period end (exclusive)')
    .option('--site <id>', 'one member only')
    .action(async (o: { market: string; from: string; to: string; site?: string }) => withStore(g(), async (store) => {
      const m = await marketsRepo(store).mustGet('all', marketId(o.market));
      const from = parseInstant(o.from, 'from');
      const to = parseInstant(o.to, 'to');
      if (!(to > from)) throw invalid('to', 'must be after from');
      const items = await billsOf(store, m, from, to, o.site ? Number(o.site) : undefined);
      const r = (v: number) => v.toFixed(2);
      output(g(), { items }, (d) => table(d.items.map((b) => ({
        site: b.siteId, settled: b.slotsSettled, awaiting: b.slotsAwaitingData.length, 'bought kWh': b.localBoughtKwh.toFixed(3), 'sold kWh': b.localSoldKwh.toFixed(3),
        'grid in kWh': b.gridImportKwh.toFixed(3), 'grid out kWh': b.gridExportKwh.toFixed(3), fees: r(b.feeCost), adjustments: r(b.adjustments), [`total ${m.currency}`]: r(b.totalCost),
      })), ['site', 'settled', 'awaiting', 'bought kWh', 'sold kWh', 'grid in kWh', 'grid out kWh', 'fees', 'adjustments', `total ${m.currency}`]));
    }));

  const ledger = program.command('ledger').description("a market's tamper-evident ledger");
  ledger.command('verify').description('recompute the hash chain against the stored head; names the first bad entry (exit 1)')
    .requiredOption('--market <id>', 'market id')
    .action(async (o: { market: string }) => withStore(g(), async (store) => {
      const m = await marketsRepo(store).mustGet('all', marketId(o.market));
      const v = await verifyMarketLedger(store, m.dbId);
      output(g(), v, (d) => (d.ok ? `ledger of market ${m.dbId}: ${d.length} entries, intact (head ${d.headHash})` : `ledger of market ${m.dbId}: entry ${d.firstBad.sequence ?? d.firstBad.index} ${d.firstBad.problem}: ${d.firstBad.message}`));
      if (!v.ok) process.exitCode = 1;
    }));
}
