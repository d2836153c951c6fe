/**
 * A finished site schedule becomes dispatch contracts for the site's edge agent: one per steerable asset, on
 * the 5-minute grid from the next boundary on. They are recorded as `created`; the edge service offers every
 * created contract to its agent with its next heartbeat. Sites without an agent get none.
 */
import { contractsFromSchedule } from '../edge/from-schedule.ts';
import { recordContract } from '../edge/contracts-table.ts';
import type { ScheduleResult } from '../schedule/index.ts';
import type { Store } from '../store/types.ts';

export async function offerScheduleContracts(store: Store, siteId: number, runId: number, result: ScheduleResult, now: number): Promise<number> {
  const agent = await store.query('SELECT 1 FROM edge_agents WHERE site_id = $1', [siteId]);
  if (!agent.length || result.status === 'infeasible' || result.assets.length === 0) return 0;
  const terms = contractsFromSchedule(result, now, { idPrefix: `s${siteId}-r${runId}` });
  for (const t of terms) await recordContract(store, siteId, t, now);
  return terms.length;
}
