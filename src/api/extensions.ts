import type { FastifyInstance } from 'fastify';
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/types.ts';

/** What a capability gets to add its routes to the API. */
export interface ApiContext {
  store: Store;
  clock: Clock;
}

export type ApiExtension = (app: FastifyInstance, ctx: ApiContext) => void | Promise<void>;
