import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { invalid } from '../../core/errors.ts';
import { formatDuration, formatInstant, parseDuration, parseInstant } from '../../core/time.ts';
import { readSeries } from '../../store/series.ts';
import { SOURCE_KINDS, type SourceKind } from '../../store/types.ts';
import { type GlobalOptions, withStore } from '../context.ts';
import { importCommand, sensorById } from './import.ts';

/** `export --sensor ID` (and `import`, in ./import.ts). */
export function dataCommands(program: Command, g: () => GlobalOptions): void {
  importCommand(program, g);
  program.command('export').description('export the latest beliefs of a sensor as CSV or JSON')
    .requiredOption('--sensor <id>', 'sensor id').requiredOption('--start <iso>', 'from (ISO 8601 with offset)').requiredOption('--end <iso>', 'until (exclusive)')
    .option('--resolution <iso>', 'resample to this resolution').option('--unit <unit>', 'convert to this unit')
    .option('--as-of <iso>', 'as known at this time').option('--source <kind>', 'only beliefs of this source kind')
    .option('--timezone <tz>', 'write timestamps in this zone (default: UTC)').option('--output <file>', 'write to a file instead of stdout')
    .action(async (o: Record<string, string | undefined>) => withStore(g(), async (store) => {
      const sensor = await sensorById(store, o.sensor!);
      if (o.source && !(SOURCE_KINDS as readonly string[]).includes(o.source)) throw invalid('--source', `must be one of ${SOURCE_KINDS.join(', ')}`);
      const s = await readSeries(store, sensor, {
        start: parseInstant(o.start!, '--start'), end: parseInstant(o.end!, '--end'),
        resolutionMs: o.resolution ? parseDuration(o.resolution, '--resolution') : undefined, unit: o.unit,
        asOf: o.asOf ? parseInstant(o.asOf, '--as-of') : undefined, sourceKinds: o.source ? [o.source as SourceKind] : undefined,
      });
      const tz = o.timezone ?? 'UTC';
      const text = g().json
        ? JSON.stringify({ start: formatInstant(s.start, tz), resolution: formatDuration(s.resolutionMs), unit: s.unit, values: s.values })
        : ['timestamp,value', ...s.values.map((v, i) => `${formatInstant(s.start + i * s.resolutionMs, tz)},${v === null ? '' : v}`)].join('\n');
      if (o.output) writeFileSync(o.output, `${text}\n`);
      else process.stdout.write(`${text}\n`);
    }));
}
