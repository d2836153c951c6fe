import { describe, expect, it } from 'vitest';
import { normalizeRequest } from '../flex/normalize.ts';
import { highsInstance } from './highs.ts';
import { scheduleProblem } from './schedule.ts';

describe('HiGHS memory', () => {
  it('10,000 solves in one process do not grow WASM or process memory without bound', async () => {
    const highs = await highsInstance();
    const values = Array.from({ length: 24 }, (_, i) => 60 + 50 * Math.sin(i / 4));
    const p = normalizeRequest({
      start: '2024-01-01T00:00:00Z',
      slots: 24,
      resolution: 'PT1H',
      context: { importPrice: { unit: 'EUR/MWh', values }, exportPrice: { unit: 'EUR/MWh', values: values.map((v) => v - 10) } },
      assets: [{ id: 'b', type: 'battery', capacityKwh: 10, socKwh: 5, chargeMaxKw: 5, dischargeMaxKw: 5, roundTripEfficiency: 0.9 }],
    });
    const first = scheduleProblem(p, highs, { method: 'highs' });
    for (let i = 0; i < 200; i++) scheduleProblem(p, highs, { method: 'highs' });
    const wasmBefore = highs.memoryBytes;
    const rssBefore = process.memoryUsage().rss;
    let last = first;
    for (let i = 0; i < 10_000; i++) last = scheduleProblem(p, highs, { method: 'highs' });
    const wasmAfter = highs.memoryBytes;
    const rssAfter = process.memoryUsage().rss;
    expect(last.cost.total).toBeCloseTo(first.cost.total, 9);
    // an undisposed model of this size holds well over 10 kB: 10,000 of them would add 100 MB or more
    expect(wasmAfter - wasmBefore).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(rssAfter - rssBefore).toBeLessThan(64 * 1024 * 1024);
    console.log(JSON.stringify({ wasmBefore, wasmAfter, rssBefore, rssAfter }));
  }, 600_000);
});
