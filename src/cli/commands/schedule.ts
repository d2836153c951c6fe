import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { invalid, notFound } from '../../core/errors.ts';
import { type GlobalOptions, withStore, readJsonFile } from '../context.ts';

interface ScheduleOptions { input?: string; output?: string; site?: string; start?: string; end?: string; slots?: string; resolution?: string; method?: string }


function emit(result: unknown, output: string | undefined): void {
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (output) writeFileSync(output, text);
  else process.stdout.write(text);
}

/** `schedule --input request.json` (self-contained) or `schedule --site ID --start ... --end ...` (stored data). */
export function scheduleCommands(program: Command, g: () => GlobalOptions): void {
  program.command('schedule').description('compute the lowest-cost schedule: from a self-contained request file, or for a stored site')
    .option('--input <file>', 'request JSON (see docs/scheduling.md); - for stdin')
    .option('--output <file>', 'write the result JSON here instead of stdout')
    .option('--site <id>', "schedule a stored site's assets on its stored prices")
    .option('--start <iso>', 'with --site: start (ISO 8601; the site time zone applies without offset)')
    .option('--end <iso>', 'with --site: end').option('--slots <n>', 'with --site: number of slots instead of --end')
    .option('--resolution <iso>', 'with --site: slot length', 'PT15M')
    .option('--method <m>', 'auto (fast exact planners where they apply) or highs', 'auto')
    .action(async (o: ScheduleOptions) => {
      if (o.method !== 'auto' && o.method !== 'highs') throw invalid('--method', 'auto or highs');
      const { schedule } = await import('../../schedule/index.ts');
      if (o.input) {
        emit(await schedule(readJsonFile(o.input, '--input'), { method: o.method, now: () => performance.now() }), o.output);
        return;
      }
      if (!o.site) throw invalid('--input', 'give --input FILE, or --site ID with --start and --end');
      if (!o.start) throw invalid('--start', 'required with --site');
      const { buildSiteRequest } = await import('../../scheduling/site-request.ts');
      await withStore(g(), async (store) => {
        const site = await store.sites.get('all', Number(o.site));
        if (!site) throw notFound(`site ${o.site}`);
        const request = await buildSiteRequest(store, 'all', site, {
          start: o.start!, end: o.end, slots: o.slots === undefined ? undefined : Number(o.slots), resolution: o.resolution,
        }, Date.now());
        emit(await schedule(request, { method: o.method as 'auto' | 'highs', now: () => performance.now() }), o.output);
      });
    });
}
