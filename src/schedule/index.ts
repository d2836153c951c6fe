/** The scheduler's public surface: what the CLI, the API, the job workers and the simulator call. */
export { schedule, scheduleProblem, type ScheduleOptions } from './schedule.ts';
export type { ScheduleResult, AssetSchedule, Unmet, CostBreakdown, SolverReport, ScheduleStatus } from './result.ts';
export { planCharging, type ChargingInput, type ChargingPlan, type ChargingSlot } from './charging.ts';
export { highsInstance } from './highs.ts';
export { warmUpScheduler } from './warm-up.ts';
export { cheapestSlots } from './planners.ts';
export { penaltyLadder } from './ladder.ts';
/** Validates a request without solving (400 ProblemError naming the field): call before creating a job. */
export { normalizeRequest as validateScheduleRequest } from '../flex/normalize.ts';
export { scheduleRequestSchema, type ScheduleRequest } from '../flex/schema.ts';
