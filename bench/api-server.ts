/**
 * The server the API benchmark loads: PostgreSQL in a scratch schema (or the embedded PGlite in BENCH_DATA_DIR),
 * no rate limit, no demo. Prints its URL.
 */
import { startServer } from '../src/api/server.ts';

const srv = await startServer({
  port: 0,
  ...(process.env.BENCH_DATA_DIR
    ? { dataDir: process.env.BENCH_DATA_DIR }
    : { databaseUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test', schema: process.env.BENCH_SCHEMA }),
  seedDemo: false, quiet: true, workers: false, rateLimitPerMinute: 100_000_000,
});
console.log(srv.url);
process.on('SIGTERM', () => void srv.close().then(() => process.exit(0)));
