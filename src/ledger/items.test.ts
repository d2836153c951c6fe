import { describe, expect, it } from 'vitest';
import { appendEntries, verifyChain } from './chain.ts';
import { clearingItem, orderItem, readingsItem, settlementItem } from './items.ts';
import { generateMeterKeys, signReadingBatch } from './signing.ts';
import { clearSlot } from '../market/clearing.ts';
import { openOrder } from '../market/orders.ts';
import { settleSlot } from '../market/settlement.ts';

describe('ledger items of a market day', () => {
  it('records orders, clearing, signed readings and settlement in a chain that verifies', () => {
    const slot = Date.parse('2026-06-01T12:00:00Z');
    const at = slot - 3_600_000;
    const buy = openOrder({ member: 'a', side: 'buy', energyKwh: 2, limitPrice: 0.25, slotStart: slot }, 'o1', 'm', at);
    const sell = openOrder({ member: 'b', side: 'sell', energyKwh: 3, limitPrice: 0.1, slotStart: slot }, 'o2', 'm', at);
    const result = clearSlot([buy, sell]);
    const keys = generateMeterKeys();
    const signed = signReadingBatch({ meterId: 'mb', site: 'b', readings: [{ slotStart: '2026-06-01T12:00:00Z', energyKwh: -2.5 }] }, keys.privateKeyPem);
    const [settled] = settleSlot({ slotStart: slot, members: ['b'], trades: [], readings: new Map([['b', -2.5]]), prices: { importPrice: 0.3, exportPrice: 0.08 }, localGridFee: 0 });
    const items = [orderItem(buy, at), orderItem(sell, at), clearingItem(slot, result, slot - 300_000), readingsItem(signed, slot + 900_000), settlementItem(settled, slot + 900_000)];
    const chain = appendEntries('m', null, items);
    expect(verifyChain('m', chain).ok).toBe(true);
    expect(chain[2].payload).toMatchObject({ slotStart: '2026-06-01T12:00:00Z', price: 0.1, volumeKwh: 2 });
    expect(chain[3].payload).toMatchObject({ meterId: 'mb', signature: signed.signature });
    expect(chain[4].payload).toMatchObject({ member: 'b', status: 'settled', gridExportKwh: 2.5 });
  });
});
