import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { ProblemError } from '../core/errors.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Store } from '../store/types.ts';
import { SESSION_COOKIE, registerAuth } from './auth.ts';
import { openApiTransform } from './openapi.ts';
import { problemOf, sendProblem } from './problem.ts';
import { accountRoutes } from './routes/accounts.ts';
import { assetRoutes } from './routes/assets.ts';
import { authRoutes } from './routes/auth.ts';
import { dataRoutes } from './routes/data.ts';
import { healthRoutes } from './routes/health.ts';
import { meRoutes } from './routes/me.ts';
import { sensorRoutes } from './routes/sensors.ts';
import { siteRoutes } from './routes/sites.ts';
import { userRoutes } from './routes/users.ts';
import { retentionRoutes } from './routes/retention.ts';
import { jobRoutes } from './routes/jobs.ts';
import type { Capability } from './extensions.ts';
import type { JobQueue } from '../jobs/types.ts';

export interface AppOptions {
  store: Store;
  clock?: Clock;
  /** Requests per minute per token (or per address when anonymous). */
  rateLimitPerMinute?: number;
  /** Folder of the built dashboard; default `dist/web`, skipped when absent. */
  webRoot?: string | null;
  logger?: boolean;
  /** The job queue, for capabilities that enqueue work. */
  queue?: JobQueue;
  /** Capabilities (scheduling, markets, feeds, edge) whose routes are added. */
  capabilities?: Capability[];
}

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** The caller's token (hashed) or address: the key that rate limits count against. */
function rateKey(req: FastifyRequest): string {
  const secret = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? req.cookies?.[SESSION_COOKIE];
  return secret ? `t:${createHash('sha256').update(secret).digest('base64url').slice(0, 22)}` : `ip:${req.ip}`;
}

/** Builds the HTTP API (and serves the dashboard). Stateless: run as many as you like against one database. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { store } = opts;
  const clock = opts.clock ?? systemClock;
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 2 * 1024 * 1024, trustProxy: true });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(sendProblem);

  await app.register(cookie);
  // Security headers from helmet, built once (the Fastify wrapper rebuilds them on every request).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'], connectSrc: ["'self'"], upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (req, reply, done) => securityHeaders(req.raw, reply.raw, (err) => done(err as Error | undefined)));
  await app.register(rateLimit, {
    max: opts.rateLimitPerMinute ?? 6000,
    timeWindow: '1 minute',
    keyGenerator: rateKey,
    allowList: (req) => !req.url.startsWith('/api/'),
    errorResponseBuilder: (_req, ctx) => new ProblemError(429, 'Too many requests', `rate limit of ${ctx.max} requests per ${ctx.after} reached; retry in ${Math.ceil(ctx.ttl / 1000)} s`),
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'gridflex API', version: '1', description: 'Time series, sites, assets and flexibility. Authenticate with POST /api/v1/auth/token, then send Authorization: Bearer <token>.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: openApiTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  registerAuth(app, store, clock);
  healthRoutes(app, store);
  authRoutes(app, store, clock);
  meRoutes(app, store, clock);
  accountRoutes(app, store);
  userRoutes(app, store);
  siteRoutes(app, store);
  assetRoutes(app, store);
  sensorRoutes(app, store);
  dataRoutes(app, store, clock);
  retentionRoutes(app, store);
  if (opts.queue) jobRoutes(app, opts.queue);
  for (const cap of opts.capabilities ?? []) {
    if (!cap.routes) continue;
    if (!opts.queue) throw new Error(`the ${cap.name} routes need the job queue`);
    await cap.routes(app, { store, clock, queue: opts.queue });
  }

  const webRoot = opts.webRoot === undefined ? DEFAULT_WEB_ROOT : opts.webRoot;
  if (webRoot && existsSync(webRoot)) await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: true });
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && webRoot && existsSync(`${webRoot}/index.html`) && !req.url.startsWith('/api/')) return reply.sendFile('index.html');
    return reply.code(404).type('application/problem+json').send({ ...problemOf(404, 'Not found', `no route ${req.method} ${req.url.split('?')[0]}`), instance: req.url.split('?')[0] });
  });
  return app;
}
