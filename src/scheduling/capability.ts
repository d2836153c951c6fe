import type { Capability } from '../api/extensions.ts';
import { warmUpScheduler } from '../schedule/index.ts';
import { scheduleJob } from './job.ts';
import { schedulingRoutes } from './routes.ts';

/** Scheduling: site schedules and charging requests through the API, run by the workers. */
export const scheduling: Capability = {
  name: 'scheduling',
  routes: schedulingRoutes,
  jobs: ({ store, clock }) => [scheduleJob(store, clock)],
  // The first solves in a process are 50-100x slower while V8 optimises HiGHS: warm it up in the background.
  services: async () => {
    void warmUpScheduler().catch(() => undefined);
    return async () => undefined;
  },
};
