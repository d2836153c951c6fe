/**
 * The dispatch contract's life: created -> received -> confirmed -> active -> completed, or terminated by
 * either side from any state before completed. Pure: times are passed in (epoch ms).
 */
export const CONTRACT_STATES = ['created', 'received', 'confirmed', 'active', 'completed', 'terminated'] as const;
export type ContractState = (typeof CONTRACT_STATES)[number];

export type ContractEvent =
  | { type: 'receive' }
  | { type: 'confirm' }
  | { type: 'start' }
  | { type: 'complete' }
  | { type: 'terminate'; reason: string };

const NEXT: Record<string, Partial<Record<ContractState, ContractState>>> = {
  receive: { created: 'received' },
  confirm: { received: 'confirmed', created: 'confirmed' },
  start: { confirmed: 'active' },
  complete: { active: 'completed' },
};

export function isFinal(s: ContractState): boolean {
  return s === 'completed' || s === 'terminated';
}

/** The state after `event`, or an error naming the transition that is not allowed. */
export function transition(state: ContractState, event: ContractEvent): ContractState {
  if (event.type === 'terminate') {
    if (isFinal(state)) throw new Error(`contract already ${state}: cannot terminate`);
    return 'terminated';
  }
  const to = NEXT[event.type][state];
  if (!to) throw new Error(`contract ${state}: cannot ${event.type}`);
  return to;
}

export interface ContractTerms {
  id: string;
  /** Epoch ms, aligned to 5 minutes. */
  start: number;
  durationMs: number;
  /** One value per 5-minute slot (average power, kW, + = consumption) for the asset named. */
  powerKw: number[];
  /** The device the contract steers. */
  device: string;
  heartbeatMs: number;
  graceMs: number;
}

export const SLOT_MS = 5 * 60_000;

/** Checks the terms a platform offers: start on the 5-minute grid, slots covering the duration. */
export function contractProblems(t: ContractTerms): string[] {
  const out: string[] = [];
  if (t.start % SLOT_MS !== 0) out.push('start: must be aligned to 5 minutes');
  if (t.durationMs <= 0 || t.durationMs % SLOT_MS !== 0) out.push('durationMs: must be a positive multiple of 5 minutes');
  if (t.powerKw.length !== 1 && t.powerKw.length !== t.durationMs / SLOT_MS) out.push(`powerKw: needs 1 value (average) or ${t.durationMs / SLOT_MS} (per slot)`);
  if (t.graceMs < t.heartbeatMs) out.push('graceMs: must be at least heartbeatMs');
  return out;
}

/** The setpoint the contract asks for at time t, or null outside its window. */
export function contractPowerAt(t: ContractTerms, now: number): number | null {
  if (now < t.start || now >= t.start + t.durationMs) return null;
  if (t.powerKw.length === 1) return t.powerKw[0];
  return t.powerKw[Math.floor((now - t.start) / SLOT_MS)];
}

/**
 * What the time says should happen to a contract: start it at its start, complete it at its end, or terminate
 * it when the other side's heartbeat is older than the grace period. null = nothing to do.
 */
export function dueEvent(state: ContractState, t: ContractTerms, now: number, lastPeerHeartbeat: number): ContractEvent | null {
  if (isFinal(state)) return null;
  if ((state === 'active' || state === 'confirmed') && now - lastPeerHeartbeat > t.graceMs) return { type: 'terminate', reason: 'heartbeat lost' };
  if (state === 'confirmed' && now >= t.start) return now >= t.start + t.durationMs ? { type: 'terminate', reason: 'expired before start' } : { type: 'start' };
  if (state === 'active' && now >= t.start + t.durationMs) return { type: 'complete' };
  return null;
}
