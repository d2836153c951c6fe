/** The platform's record of dispatch contracts: one writer for the API, the edge service and the scheduler. */
import type { Store } from '../store/types.ts';
import type { ContractTerms } from './contract.ts';

/** Records a contract as `created` (the edge service offers created contracts to the agent); a known id is left as it is. */
export async function recordContract(store: Pick<Store, 'query'>, siteId: number, t: ContractTerms, now: number): Promise<void> {
  await store.query(
    `INSERT INTO edge_contracts (id, site_id, device, state, start_at, duration_ms, power_kw, heartbeat_ms, grace_ms, updated_at)
     VALUES ($1, $2, $3, 'created', $4, $5, $6::jsonb, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
    [t.id, siteId, t.device, new Date(t.start).toISOString(), t.durationMs, JSON.stringify(t.powerKw), t.heartbeatMs, t.graceMs, new Date(now).toISOString()],
  );
}
