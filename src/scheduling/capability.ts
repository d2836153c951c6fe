import type { Capability } from '../api/extensions.ts';
import { scheduleJob } from './job.ts';
import { schedulingRoutes } from './routes.ts';

/** Scheduling: site schedules and charging requests through the API, run by the workers. */
export const scheduling: Capability = {
  name: 'scheduling',
  routes: schedulingRoutes,
  jobs: ({ store, clock }) => [scheduleJob(store, clock)],
};
