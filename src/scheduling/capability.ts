import type { Capability } from '../api/extensions.ts';
import { scheduleJob } from './job.ts';
import { schedulingRoutes } from './routes.ts';
import { solverPool } from './solver-pool.ts';

/** Scheduling: site schedules and charging requests through the API, run by the workers. */
export const scheduling: Capability = {
  name: 'scheduling',
  routes: schedulingRoutes,
  jobs: ({ store, clock }) => [scheduleJob(store, clock)],
  // Site schedules are solved in a pool of threads, each with its own HiGHS; the first solves of an instance
  // are 50-100x slower while V8 optimises the WASM, so the first thread starts (and warms up) with the workers.
  // Idle threads do not keep the process alive, and a running solve ends with its job.
  services: async () => {
    solverPool().start();
    return async () => undefined;
  },
};
