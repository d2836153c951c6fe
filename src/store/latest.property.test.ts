import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeStores, MIN15, T0 } from './test-helpers.ts';
import type { BeliefRow } from './types.ts';

/** The reference: per slot, the belief with the greatest (belief time, source id) at or before asOf. */
function modelLatest(rows: BeliefRow[], slots: number, asOf: number | undefined, sources: number[] | undefined): (number | null)[] {
  const best: ({ bt: number; src: number; v: number } | null)[] = new Array(slots).fill(null);
  const last = new Map<string, BeliefRow>(); // a repeated key keeps its last value
  for (const r of rows) last.set(`${r.slotStart}|${r.beliefTime}|${r.sourceId}`, r);
  for (const r of last.values()) {
    if (asOf !== undefined && r.beliefTime > asOf) continue;
    if (sources && !sources.includes(r.sourceId)) continue;
    const i = (r.slotStart - T0) / MIN15;
    const b = best[i];
    if (!b || r.beliefTime > b.bt || (r.beliefTime === b.bt && r.sourceId > b.src)) best[i] = { bt: r.beliefTime, src: r.sourceId, v: r.value };
  }
  return best.map((b) => (b ? b.v : null));
}

describeStores('latest against a model', (ctx) => {
  it('matches the model for random beliefs, asOf and source filters, written in random batches', async () => {
    const { store } = ctx;
    const account = await store.accounts.create('property');
    const sourceIds: number[] = [];
    for (const name of ['a', 'b', 'c']) sourceIds.push((await store.sources.ensure({ kind: 'forecaster', name: `prop-${name}` })).id);
    const SLOTS = 12;
    const row = fc.record({
      slot: fc.integer({ min: 0, max: SLOTS - 1 }),
      beliefTime: fc.integer({ min: 0, max: 5 }).map((h) => T0 + (h - 2) * 3_600_000),
      source: fc.integer({ min: 0, max: 2 }),
      value: fc.integer({ min: -1000, max: 1000 }).map((v) => v / 4),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 40 }),
        fc.option(fc.integer({ min: 0, max: 5 }).map((h) => T0 + (h - 2) * 3_600_000), { nil: undefined }),
        fc.option(fc.subarray([0, 1, 2], { minLength: 1 }), { nil: undefined }),
        fc.integer({ min: 1, max: 3 }),
        async (spec, asOf, sourcePick, parts) => {
          const sensor = await store.sensors.create('all', { accountId: account.id, name: 'p', quantity: 'power', unit: 'kW', resolutionMs: MIN15 });
          const rows: BeliefRow[] = spec.map((s) => ({ sensorId: sensor.id, slotStart: T0 + s.slot * MIN15, beliefTime: s.beliefTime, sourceId: sourceIds[s.source], value: s.value }));
          const size = Math.ceil(rows.length / parts);
          for (let i = 0; i < rows.length; i += size) await store.beliefs.writeRows(rows.slice(i, i + size));
          const sources = sourcePick?.map((i) => sourceIds[i]);
          const got = await store.beliefs.latest({ sensorId: sensor.id, start: T0, end: T0 + SLOTS * MIN15, asOf, sourceIds: sources });
          expect(got.values).toEqual(modelLatest(rows, SLOTS, asOf, sources));
        },
      ),
      { numRuns: 40 },
    );
  });
});
