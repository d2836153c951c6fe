/** A clock for the agent's simulation that runs `speed` times faster than the real one, from `start`. */
export interface SimClock {
  now(): number;
  /** Real milliseconds that `simMs` of simulated time take. */
  realMs(simMs: number): number;
}

export function simClock(start: number, speed: number, realNow: () => number = Date.now): SimClock {
  const real0 = realNow();
  return {
    now: () => start + (realNow() - real0) * speed,
    realMs: (simMs) => simMs / speed,
  };
}
