/**
 * The pure heart of `gridflex market clear --input orders.json [--mechanism pay-as-clear|pay-as-bid]`:
 * takes the parsed file `{orders: [{id, member, side, energyKwh, limitPrice}]}` and returns what the command
 * prints, `{price, volumeKwh, trades: [{buyOrder, sellOrder, energyKwh, price}]}`. The command reads the file,
 * parses the JSON and prints `JSON.stringify(result, null, 2)`; a ProblemError names the bad field.
 */
import { invalid } from '../core/errors.ts';
import { clearSlot, parseMechanism } from './clearing.ts';
import type { BookOrder, Mechanism } from './types.ts';

export interface ClearCommandOutput {
  mechanism: Mechanism;
  price: number | null;
  volumeKwh: number;
  trades: { buyOrder: string; sellOrder: string; energyKwh: number; price: number }[];
}

export function runClearCommand(input: unknown, mechanism: string = 'pay-as-clear'): ClearCommandOutput {
  const m = parseMechanism(mechanism, 'mechanism');
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw invalid('input', 'must be a JSON object {"orders": [...]}');
  const orders = (input as { orders?: unknown }).orders;
  if (!Array.isArray(orders)) throw invalid('orders', 'must be an array of {id, member, side, energyKwh, limitPrice}');
  const result = clearSlot(orders as BookOrder[], m);
  return {
    mechanism: m,
    price: result.price === null ? null : roundPrice(result.price),
    volumeKwh: result.volumeKwh,
    trades: result.trades.map((t) => ({ buyOrder: t.buyOrder, sellOrder: t.sellOrder, energyKwh: t.energyKwh, price: roundPrice(t.price) })),
  };
}

/** Prices print without binary noise (0.30000000000000004 -> 0.3); 10 decimals is far below any currency unit. */
function roundPrice(p: number): number {
  return Math.round(p * 1e10) / 1e10;
}
