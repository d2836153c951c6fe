import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../core/clock.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { seedDemo, DEMO_LOGIN } from '../ingest/demo.ts';
import { buildApp } from './app.ts';
import type { Capability } from './extensions.ts';
import { CAPABILITIES } from './capabilities.ts';
import { startPlatformJobs, type PlatformJobs } from '../jobs/platform.ts';

export interface ServerOptions {
  port?: number;
  host?: string;
  /** PostgreSQL URL; when absent the embedded PGlite in `dataDir` is used. */
  databaseUrl?: string;
  /** PostgreSQL schema to keep everything in (tests, or several deployments in one database). */
  schema?: string;
  dataDir?: string;
  seedDemo?: boolean;
  /** Run job workers in this process (default true). */
  workers?: boolean;
  quiet?: boolean;
  logger?: boolean;
  clock?: Clock;
  rateLimitPerMinute?: number;
  /** How often idle job workers poll (seconds). */
  pollingIntervalSeconds?: number;
  /** Default: every capability in src/api/capabilities.ts. */
  capabilities?: Capability[];
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  store: Store;
  jobs: PlatformJobs;
  close(): Promise<void>;
}

/** Opens (and migrates) the database, seeds the demo on first start, runs the job workers and serves the API. */
export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const clock = opts.clock ?? systemClock;
  const say = opts.quiet ? () => {} : (msg: string) => console.log(msg);
  const store = await openStore({ databaseUrl: opts.databaseUrl, schema: opts.schema, dataDir: opts.dataDir, migrate: true });
  try {
    if (opts.seedDemo) {
      const seeded = await seedDemo(store);
      if (seeded) say(`Seeded the demo account: ${seeded.sensors} sensors, ${seeded.values} values.`);
    }
    const capabilities = opts.capabilities ?? CAPABILITIES;
    const jobs = await startPlatformJobs({ store, clock, databaseUrl: opts.databaseUrl, workers: opts.workers ?? true, pollingIntervalSeconds: opts.pollingIntervalSeconds, capabilities });
    let app: FastifyInstance;
    try {
      app = await buildApp({ store, clock, logger: opts.logger, rateLimitPerMinute: opts.rateLimitPerMinute ?? rateLimitFromEnv(), queue: jobs.queue, capabilities });
    } catch (err) {
      await jobs.stop();
      throw err;
    }
    const address = await app.listen({ port: opts.port ?? 8080, host: opts.host ?? '127.0.0.1' });
    const url = address.replace('[::1]', 'localhost');
    say(`gridflex is running at ${url}  (API docs: ${url}/docs)`);
    say(`Database: ${store.kind === 'pglite' ? `embedded PGlite in ${opts.dataDir ?? process.env.GRIDFLEX_DATA_DIR ?? './.gridflex'}` : 'PostgreSQL'}`);
    if (opts.seedDemo) say(`Log in as ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}`);
    return {
      url, app, store, jobs,
      async close() {
        await app.close();
        await jobs.stop();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** GRIDFLEX_RATE_LIMIT_PER_MINUTE: requests per minute per token (default 6,000). */
function rateLimitFromEnv(): number | undefined {
  const v = Number(process.env.GRIDFLEX_RATE_LIMIT_PER_MINUTE);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}
