import { describe, expect, it } from 'vitest';
import { marketConfigFrom, type MarketInput } from './market.ts';
import { ProblemError } from '../core/errors.ts';

const good: MarketInput = { id: 'm', accountId: 'a', slot: 'PT15M', gateClosure: 'PT5M', timeZone: 'Europe/Berlin', currency: 'EUR', retailPrice: 0.32, feedInTariff: 0.08, localGridFee: 0.02 };

describe('market settings', () => {
  it('reads durations and defaults the mechanism', () => {
    expect(marketConfigFrom(good)).toEqual({ id: 'm', accountId: 'a', slotMs: 900_000, timeZone: 'Europe/Berlin', gateClosureLeadMs: 300_000, currency: 'EUR', mechanism: 'pay-as-clear', retailPrice: 0.32, feedInTariff: 0.08, localGridFee: 0.02 });
    expect(marketConfigFrom({ ...good, slot: 'PT1H', mechanism: 'pay-as-bid', localGridFee: undefined })).toMatchObject({ slotMs: 3_600_000, mechanism: 'pay-as-bid', localGridFee: 0 });
  });
  it.each([
    [{ slot: 'PT30M' }, 'slot'],
    [{ slot: '15min' }, 'slot'],
    [{ gateClosure: 'soon' }, 'gateClosure'],
    [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
    [{ currency: 'euro' }, 'currency'],
    [{ mechanism: 'dutch' }, 'mechanism'],
    [{ retailPrice: NaN }, 'retailPrice'],
    [{ feedInTariff: 0.5 }, 'feedInTariff'],
    [{ localGridFee: -0.01 }, 'localGridFee'],
  ])('refuses %o naming %s', (patch, field) => {
    try {
      marketConfigFrom({ ...good, ...(patch as object) });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ProblemError);
      expect((e as ProblemError).field).toBe(field);
    }
  });
});
