/** The shapes `schedule()` answers with. Power is positive for consumption; states are at the end of each slot. */

export type ScheduleStatus = 'optimal' | 'unmet-wishes' | 'infeasible';

export interface Unmet {
  assetId: string;
  /** `soc-target`, `soc-band`, `energy`, `comfort`, `heat`, `not-run` */
  kind: string;
  amount: number;
  unit: string;
  message: string;
}

export interface AssetSchedule {
  id: string;
  type: string;
  powerKw: number[];
  socKwh?: number[];
  temperatureC?: number[];
}

export interface CostBreakdown {
  /** What the site pays: energy + peak + cycle (penalties are not money and are reported apart). */
  total: number;
  energy: number;
  peak: number;
  cycle: number;
  /** The ladder's penalty for unmet wishes (0 when every wish is met). */
  penalty: number;
}

export interface SolverReport {
  method: string;
  /** The model's objective: money + penalties + tie-breaks (from HiGHS or the battery planner; absent for the other planners). */
  objective?: number;
  timeMs: number;
  mipGap: number;
  timeLimitS: number;
  mipRelGap: number;
}

export interface ScheduleResult {
  status: ScheduleStatus;
  reason?: string;
  start: string;
  end: string;
  resolution: string;
  currency: string;
  assets: AssetSchedule[];
  site: { importKw: number[]; exportKw: number[] };
  cost: CostBreakdown;
  baseline: { cost: number };
  /** baseline cost − cost.total */
  saving: number;
  unmet: Unmet[];
  solver: SolverReport;
}
