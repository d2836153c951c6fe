import { normalizeRequest } from '../flex/normalize.ts';
import { batteryRequest } from './fixtures.ts';
import { highsInstance } from './highs.ts';
import { scheduleProblem } from './schedule.ts';

/**
 * Loads HiGHS and solves a few small models, so that a worker's first real schedule is not 50–100× slower
 * while V8 optimises the WASM. Call once when a long-lived worker starts.
 */
export async function warmUpScheduler(rounds = 50): Promise<void> {
  const highs = await highsInstance();
  const p = normalizeRequest(batteryRequest(96, 'PT15M'));
  for (let i = 0; i < rounds; i++) {
    scheduleProblem(p, highs, { method: 'highs' });
    // One solve at a time, so a server warming up in its own process keeps answering between them.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
