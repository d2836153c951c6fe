import { describe, expect, it } from 'vitest';
import { applyOrderEvent, draftOrders, openOrder, type OrderInput } from './orders.ts';
import type { MarketConfig, Order } from './types.ts';
import { ProblemError } from '../core/errors.ts';

const market: MarketConfig = {
  id: 'mkt-1',
  accountId: 'acc-1',
  slotMs: 15 * 60_000,
  timeZone: 'Europe/Berlin',
  gateClosureLeadMs: 5 * 60_000,
  currency: 'EUR',
  mechanism: 'pay-as-clear',
  retailPrice: 0.32,
  feedInTariff: 0.08,
  localGridFee: 0.02,
};
const now = Date.parse('2026-03-01T09:00:00Z');
const members = new Set(['site-a', 'site-b']);
const base: OrderInput = { member: 'site-a', side: 'sell', energyKwh: 2.5, limitPrice: 0.12, slot: '2026-03-01T11:00:00+01:00' };

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    return (e as ProblemError).field;
  }
  throw new Error('expected a ProblemError');
}

describe('order validation', () => {
  it('accepts a good order for one slot', () => {
    expect(draftOrders(base, market, now, members)).toEqual([
      { member: 'site-a', side: 'sell', energyKwh: 2.5, limitPrice: 0.12, slotStart: Date.parse('2026-03-01T10:00:00Z') },
    ]);
  });
  it.each([
    [{ energyKwh: 0 }, 'energyKwh'],
    [{ energyKwh: -1 }, 'energyKwh'],
    [{ energyKwh: Infinity }, 'energyKwh'],
    [{ limitPrice: NaN }, 'limitPrice'],
    [{ limitPrice: -Infinity }, 'limitPrice'],
    [{ side: 'both' }, 'side'],
    [{ member: 'site-z' }, 'member'],
    [{ slot: '2026-03-01T11:07:00+01:00' }, 'slot'],
    [{ slot: '2026-03-01T11:00:00' }, 'slot'],
    [{ slot: '2026-03-01T10:00:00+01:00' }, 'slot'],
  ])('refuses %o naming %s', (patch, field) => {
    expect(fieldOf(() => draftOrders({ ...base, ...(patch as object) } as OrderInput, market, now, members))).toBe(field);
  });
  it('refuses an order for a slot whose gate has just closed (5 min before the slot)', () => {
    const at = Date.parse('2026-03-01T09:55:00Z');
    expect(() => draftOrders({ ...base, slot: '2026-03-01T10:00:00Z' }, market, at)).toThrow(/gate .* closed/);
    expect(draftOrders({ ...base, slot: '2026-03-01T10:00:00Z' }, market, at - 1)).toHaveLength(1);
  });
  it('expands a range into one order per slot', () => {
    const drafts = draftOrders({ ...base, slot: undefined, slots: { start: '2026-03-01T11:00:00+01:00', end: '2026-03-01T12:00:00+01:00' } }, market, now);
    expect(drafts.map((d) => new Date(d.slotStart).toISOString())).toEqual([
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T10:15:00.000Z',
      '2026-03-01T10:30:00.000Z',
      '2026-03-01T10:45:00.000Z',
    ]);
    expect(drafts.every((d) => d.energyKwh === 2.5)).toBe(true);
  });
  it('refuses a whole range when its first slot is past the gate (nothing partly created)', () => {
    const at = Date.parse('2026-03-01T09:58:00Z');
    expect(fieldOf(() => draftOrders({ ...base, slot: undefined, slots: { start: '2026-03-01T10:00:00Z', end: '2026-03-01T11:00:00Z' } }, market, at))).toBe('slots.start');
  });
  it('refuses a range that is not a whole number of slots, or empty', () => {
    expect(fieldOf(() => draftOrders({ ...base, slot: undefined, slots: { start: '2026-03-01T10:00:00Z', end: '2026-03-01T10:20:00Z' } }, market, now))).toBe('slots.end');
    expect(fieldOf(() => draftOrders({ ...base, slot: undefined, slots: { start: '2026-03-01T10:00:00Z', end: '2026-03-01T10:00:00Z' } }, market, now))).toBe('slots.end');
  });
  it('keeps hourly slots on the local hour across the spring clock change', () => {
    const hourly = { ...market, slotMs: 3_600_000 };
    const drafts = draftOrders({ ...base, slot: undefined, slots: { start: '2026-03-29T01:00:00+01:00', end: '2026-03-29T04:00:00+02:00' } }, hourly, Date.parse('2026-03-28T00:00:00Z'));
    expect(drafts).toHaveLength(2);
  });
});

describe('order lifecycle', () => {
  const slotStart = Date.parse('2026-03-01T10:00:00Z');
  const gate = slotStart - market.gateClosureLeadMs;
  const fresh = (): Order => openOrder({ member: 'site-a', side: 'buy', energyKwh: 4, limitPrice: 0.2, slotStart }, 'o-1', market.id, now);

  it('runs open -> closed -> matched -> delivering -> settled, keeping every change in the history', () => {
    let o = fresh();
    o = applyOrderEvent(o, { type: 'change', energyKwh: 3 }, market, now + 1000);
    o = applyOrderEvent(o, { type: 'close' }, market, gate);
    o = applyOrderEvent(o, { type: 'clear', matchedKwh: 1.5 }, market, gate + 1);
    o = applyOrderEvent(o, { type: 'deliver' }, market, slotStart);
    o = applyOrderEvent(o, { type: 'settle' }, market, slotStart + market.slotMs);
    expect(o.status).toBe('settled');
    expect(o.energyKwh).toBe(3);
    expect(o.matchedKwh).toBe(1.5);
    expect(o.history.map((h) => `${h.from ?? '-'}>${h.to}`)).toEqual(['->open', 'open>open', 'open>closed', 'closed>matched', 'matched>delivering', 'delivering>settled']);
    expect(o.history[1].detail).toEqual({ energyKwh: [4, 3] });
    expect(o.history[3].detail).toEqual({ matchedKwh: 1.5, partly: true });
  });
  it('goes to unmatched when nothing matched, and on to settled', () => {
    let o = applyOrderEvent(fresh(), { type: 'close' }, market, gate);
    o = applyOrderEvent(o, { type: 'clear', matchedKwh: 0 }, market, gate);
    expect(o.status).toBe('unmatched');
    o = applyOrderEvent(applyOrderEvent(o, { type: 'deliver' }, market, slotStart), { type: 'settle' }, market, slotStart + market.slotMs);
    expect(o.status).toBe('settled');
  });
  it('refuses a change or cancel at or after the gate, and leaves the order as it was', () => {
    const o = fresh();
    expect(() => applyOrderEvent(o, { type: 'change', limitPrice: 0.3 }, market, gate)).toThrow(/gate closed/);
    expect(() => applyOrderEvent(o, { type: 'cancel' }, market, gate + 1)).toThrow(/gate closed/);
    expect(o.status).toBe('open');
    expect(o.history).toHaveLength(1);
  });
  it('refuses illegal moves with a 409', () => {
    const o = fresh();
    for (const event of [{ type: 'settle' }, { type: 'deliver' }, { type: 'clear', matchedKwh: 1 }] as const) {
      try {
        applyOrderEvent(o, event, market, slotStart + market.slotMs);
        expect.unreachable();
      } catch (e) {
        expect((e as ProblemError).status).toBe(409);
      }
    }
    const cancelled = applyOrderEvent(o, { type: 'cancel' }, market, now);
    expect(() => applyOrderEvent(cancelled, { type: 'change', energyKwh: 1 }, market, now)).toThrow(/cancelled/);
  });
  it('refuses closing before the gate, a bad change and an impossible match', () => {
    const o = fresh();
    expect(() => applyOrderEvent(o, { type: 'close' }, market, gate - 1)).toThrow(/not before/);
    expect(fieldOf(() => applyOrderEvent(o, { type: 'change', energyKwh: -2 }, market, now))).toBe('energyKwh');
    const closed = applyOrderEvent(o, { type: 'close' }, market, gate);
    expect(fieldOf(() => applyOrderEvent(closed, { type: 'clear', matchedKwh: 5 }, market, gate))).toBe('matchedKwh');
  });
});
