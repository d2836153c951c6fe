import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatMoney, meanAbsoluteError, stackBase, stackedExtent } from './schedule-format.ts';

describe('schedule panel numbers', () => {
  it('money has two decimals, a real minus sign and no negative zero', () => {
    expect(formatMoney(12.345, 'EUR')).toBe('12.35 EUR');
    expect(formatMoney(-3.1, 'NZD')).toBe('−3.10 NZD');
    expect(formatMoney(-0.001, 'EUR')).toBe('0.00 EUR');
  });

  it('consumption stacks upward and production downward, each asset on the same-sign assets before it', () => {
    const s = [[2, -1, 0], [3, 4, -2], [-1, -5, 1]];
    expect([0, 1, 2].map((i) => stackBase(s, 2, i))).toEqual([0, -1, 0]);
    expect([0, 1, 2].map((i) => stackBase(s, 1, i))).toEqual([2, 0, 0]);
    expect(stackedExtent(s)).toEqual([-6, 5]);
  });

  it('the top of the last stacked bar of each sign is the extent (random schedules)', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 6, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (s) => {
      const [lo, hi] = stackedExtent(s);
      for (let i = 0; i < 6; i++) {
        const tops = s.map((_, k) => stackBase(s, k, i) + s[k][i]);
        for (const t of tops) expect(t >= lo && t <= hi).toBe(true);
      }
      const ups = s[0].map((_, i) => s.reduce((a, r) => a + Math.max(0, r[i]), 0));
      const downs = s[0].map((_, i) => s.reduce((a, r) => a + Math.min(0, r[i]), 0));
      expect(hi).toBe(Math.max(0, ...ups));
      expect(lo).toBe(Math.min(0, ...downs));
    }));
  });

  it('forecast error counts only slots where both are known', () => {
    expect(meanAbsoluteError([1, 2, null, 4], [2, null, 3, 1])).toEqual({ mae: 2, slots: 2 });
    expect(meanAbsoluteError([null], [1])).toEqual({ mae: null, slots: 0 });
  });
});
