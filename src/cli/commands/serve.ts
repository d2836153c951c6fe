import type { Command } from 'commander';
import { invalid } from '../../core/errors.ts';
import type { GlobalOptions } from '../context.ts';

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw invalid('--port', `"${text}" is not a port number`);
  return n;
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) process.exit(1);
      stopping = true;
      stop().then(() => process.exit(0), () => process.exit(1));
    });
  }
}

/** `serve` (API, dashboard and in-process workers) and `worker` (workers alone). */
export function serveCommands(program: Command, g: () => GlobalOptions): void {
  program.command('serve').description('serve the API and dashboard; runs the job workers in-process')
    .option('--port <n>', 'port', process.env.PORT ?? '8080')
    .option('--host <host>', 'address to listen on', process.env.HOST ?? '127.0.0.1')
    .option('--no-workers', 'do not run job workers in this process (run `gridflex worker` elsewhere)')
    .option('--no-demo', 'do not seed the demo account on first start')
    .action(async (o: { port: string; host: string; workers: boolean; demo: boolean }) => {
      const { startServer } = await import('../../api/server.ts');
      const srv = await startServer({
        port: port(o.port), host: o.host, databaseUrl: g().databaseUrl ?? process.env.DATABASE_URL, dataDir: g().dataDir,
        seedDemo: o.demo, workers: o.workers, logger: process.env.GRIDFLEX_LOG === '1',
      });
      onSignals(() => srv.close());
    });

  program.command('worker').description('run job workers (scheduling, feeds, retention, ...) against the database')
    .action(async () => {
      const databaseUrl = g().databaseUrl ?? process.env.DATABASE_URL;
      if (!databaseUrl) process.stderr.write('note: without DATABASE_URL the worker uses the embedded database, which only one process can open; stop `gridflex serve` first or use PostgreSQL\n');
      const { openStore } = await import('../../store/open.ts');
      const { startPlatformJobs } = await import('../../jobs/platform.ts');
      const { CAPABILITIES } = await import('../../api/capabilities.ts');
      const store = await openStore({ databaseUrl, dataDir: g().dataDir, migrate: true });
      const jobs = await startPlatformJobs({ store, databaseUrl, workers: true, capabilities: CAPABILITIES });
      process.stdout.write(`worker running on ${store.kind}; stop with Ctrl-C\n`);
      onSignals(async () => {
        await jobs.stop();
        await store.close();
      });
    });
}
