/**
 * The order book of a slot as supply and demand step curves (for the slot summary and the market page):
 * demand from the highest limit down, supply from the lowest limit up, each point the cumulative energy
 * offered or wanted at that limit or better. Where they cross is the clearing of `clearSlot` (before
 * self-netting).
 */
import type { BookOrder } from './types.ts';

export interface CurvePoint {
  price: number;
  cumulativeKwh: number;
}

export interface BookSummary {
  buyOrders: number;
  sellOrders: number;
  demandKwh: number;
  supplyKwh: number;
  bestBid: number | null;
  bestOffer: number | null;
  demand: CurvePoint[];
  supply: CurvePoint[];
}

function curve(orders: readonly BookOrder[], descending: boolean): CurvePoint[] {
  const byPrice = new Map<number, number>();
  for (const o of orders) byPrice.set(o.limitPrice, (byPrice.get(o.limitPrice) ?? 0) + o.energyKwh);
  const prices = [...byPrice.keys()].sort((a, b) => (descending ? b - a : a - b));
  let sum = 0;
  return prices.map((price) => ({ price, cumulativeKwh: (sum += byPrice.get(price)!) }));
}

export function summarizeBook(orders: readonly BookOrder[]): BookSummary {
  const buys = orders.filter((o) => o.side === 'buy');
  const sells = orders.filter((o) => o.side === 'sell');
  const demand = curve(buys, true);
  const supply = curve(sells, false);
  return {
    buyOrders: buys.length,
    sellOrders: sells.length,
    demandKwh: demand.at(-1)?.cumulativeKwh ?? 0,
    supplyKwh: supply.at(-1)?.cumulativeKwh ?? 0,
    bestBid: demand[0]?.price ?? null,
    bestOffer: supply[0]?.price ?? null,
    demand,
    supply,
  };
}
