export { schedule, scheduleProblem, type ScheduleOptions } from './schedule.ts';
export type { ScheduleResult, AssetSchedule, Unmet, CostBreakdown, SolverReport, ScheduleStatus } from './result.ts';
export { planCharging, type ChargingInput, type ChargingPlan } from './charging.ts';
export { highsInstance } from './highs.ts';
export { cheapestSlots } from './planners.ts';
export { penaltyLadder } from './ladder.ts';
