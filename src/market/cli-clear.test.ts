import { describe, expect, it } from 'vitest';
import { runClearCommand } from './cli-clear.ts';

const file = {
  orders: [
    { id: 'b1', member: 'alice', side: 'buy', energyKwh: 10, limitPrice: 0.28 },
    { id: 'b2', member: 'bob', side: 'buy', energyKwh: 10, limitPrice: 0.16 },
    { id: 's1', member: 'carol', side: 'sell', energyKwh: 10, limitPrice: 0.1 },
    { id: 's2', member: 'dave', side: 'sell', energyKwh: 10, limitPrice: 0.2 },
  ],
};

describe('gridflex market clear (pure part)', () => {
  it('prints price, volume and trades for pay-as-clear (midpoint of [0.16, 0.2]: bob at 0.16 and dave at 0.2 stay out)', () => {
    expect(runClearCommand(file)).toEqual({
      mechanism: 'pay-as-clear',
      price: 0.18,
      volumeKwh: 10,
      trades: [{ buyOrder: 'b1', sellOrder: 's1', energyKwh: 10, price: 0.18 }],
    });
  });
  it('prices each trade at the bid for pay-as-bid', () => {
    const out = runClearCommand(file, 'pay-as-bid');
    expect(out.trades).toEqual([{ buyOrder: 'b1', sellOrder: 's1', energyKwh: 10, price: 0.28 }]);
    expect(out.price).toBe(0.28);
  });
  it('names the bad field of a bad file', () => {
    expect(() => runClearCommand({})).toThrow(/^orders:/);
    expect(() => runClearCommand([])).toThrow(/^input:/);
    expect(() => runClearCommand({ orders: [{ ...file.orders[0], energyKwh: '3' }] })).toThrow(/orders\[0\]\.energyKwh/);
    expect(() => runClearCommand(file, 'dutch')).toThrow(/mechanism/);
  });
  it('prints a null price and no trades when nothing crosses', () => {
    expect(runClearCommand({ orders: [file.orders[1], file.orders[3]] })).toEqual({ mechanism: 'pay-as-clear', price: null, volumeKwh: 0, trades: [] });
  });
});
