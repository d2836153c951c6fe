/** Members' bills for a period from stored settlements, with the corrections posted in the period. */
import { notFound } from '../../core/errors.ts';
import { formatInstant } from '../../core/time.ts';
import type { Id, Store } from '../../store/types.ts';
import { billFor } from '../bills.ts';
import { marketsRepo, type Market } from './markets.ts';
import { adjustmentsFor, listSettlements, settlementOut } from './settlement.ts';

export async function billsOf(store: Store, m: Market, from: number, to: number, siteId?: Id) {
  const repo = marketsRepo(store);
  if (siteId !== undefined && !(await repo.member(m.dbId, siteId))) throw notFound(`member ${siteId} of market ${m.dbId}`);
  const sites = siteId !== undefined ? [String(siteId)] : (await repo.members(m.dbId)).map((x) => String(x.siteId));
  const settlements = await listSettlements(store, m.dbId, from, to);
  const bills = [];
  for (const site of sites) {
    const b = billFor(site, settlements, from, to, await adjustmentsFor(store, m.dbId, Number(site), from, to));
    bills.push({
      ...b, siteId: Number(site), currency: m.currency, periodStart: formatInstant(b.periodStart), periodEnd: formatInstant(b.periodEnd),
      slotsAwaitingData: b.slotsAwaitingData.map((s) => formatInstant(s)), lines: b.lines.map(settlementOut),
    });
  }
  return bills;
}
