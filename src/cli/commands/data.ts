import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { invalid, invalidMany, notFound } from '../../core/errors.ts';
import { formatDuration, formatInstant, parseDuration, parseInstant } from '../../core/time.ts';
import { parseGenericCsv } from '../../ingest/formats/generic-csv.ts';
import { readSeries, writeSeries } from '../../store/series.ts';
import { SOURCE_KINDS, type Sensor, type SourceKind, type Store } from '../../store/types.ts';
import { type GlobalOptions, output, withStore } from '../context.ts';

const CHUNK = 50_000;

interface ImportOptions {
  sensor: string; unit?: string; timezone?: string; decimal?: string; delimiter?: string; dateFormat?: string;
  timeColumn?: string; valueColumn?: string; source: string; sourceName?: string; beliefTime?: string; strict?: boolean; dryRun?: boolean;
}

async function sensorById(store: Store, id: string): Promise<Sensor> {
  const n = Number(id);
  const sensor = Number.isInteger(n) ? await store.sensors.get('all', n) : null;
  if (!sensor) throw notFound(`sensor ${id}`);
  return sensor;
}

function column(spec: string | undefined): string | number | undefined {
  if (spec === undefined) return undefined;
  return /^\d+$/.test(spec) ? Number(spec) : spec;
}

/** Writes the series in chunks inside one transaction, with a progress bar on a terminal. */
async function writeWithProgress(store: Store, sensor: Sensor, s: { start: number; resolutionMs: number; unit: string; values: (number | null)[] }, beliefTime: number, sourceId: number, quiet: boolean): Promise<number> {
  const bar = !quiet && process.stderr.isTTY && s.values.length > CHUNK ? new SingleBar({ format: 'writing [{bar}] {percentage}% {value}/{total} slots', stream: process.stderr }, Presets.shades_classic) : null;
  bar?.start(s.values.length, 0);
  try {
    return await store.transaction(async (tx) => {
      let written = 0;
      for (let i = 0; i < s.values.length; i += CHUNK) {
        const values = s.values.slice(i, i + CHUNK);
        written += await writeSeries(tx, sensor, { start: s.start + i * s.resolutionMs, resolutionMs: s.resolutionMs, unit: s.unit, values, beliefTime, sourceId });
        bar?.update(Math.min(s.values.length, i + CHUNK));
      }
      return written;
    });
  } finally {
    bar?.stop();
  }
}

/** `import FILE --sensor ID` and `export --sensor ID`. */
export function dataCommands(program: Command, g: () => GlobalOptions): void {
  program.command('import').description('import a timestamp,value CSV into a sensor; rows that fail are listed with their reason')
    .argument('<file>', 'CSV file')
    .requiredOption('--sensor <id>', 'sensor id')
    .option('--unit <unit>', "unit of the values (default: the sensor's)")
    .option('--timezone <tz>', 'IANA zone for timestamps without offset')
    .option('--decimal <sep>', 'decimal separator: . or ,')
    .option('--delimiter <sep>', 'column separator (guessed when left out)')
    .option('--date-format <fmt>', 'iso (default), unix, unix-ms or a pattern like "DD.MM.YYYY HH:mm"')
    .option('--time-column <name|index>', 'timestamp column (default: the first)')
    .option('--value-column <name|index>', 'value column (default: the second)')
    .option('--source <kind>', `source kind: ${SOURCE_KINDS.join(', ')}`, 'user')
    .option('--source-name <name>', 'source name', 'cli import')
    .option('--belief-time <iso>', 'when the values were known (default: now)')
    .option('--strict', 'write nothing when any row is rejected')
    .option('--dry-run', 'parse and report, write nothing')
    .action(async (file: string, o: ImportOptions) => withStore(g(), async (store) => {
      if (!(SOURCE_KINDS as readonly string[]).includes(o.source)) throw invalid('--source', `must be one of ${SOURCE_KINDS.join(', ')}`);
      if (o.decimal !== undefined && o.decimal !== '.' && o.decimal !== ',') throw invalid('--decimal', 'must be . or ,');
      const sensor = await sensorById(store, o.sensor);
      const size = statSync(file).size;
      const unit = o.unit ?? sensor.unit;
      const parsed = parseGenericCsv(readFileSync(file, 'utf8'), {
        unit, quantity: sensor.quantity, timeZone: o.timezone, decimalSeparator: o.decimal as '.' | ',' | undefined, delimiter: o.delimiter,
        dateFormat: o.dateFormat, timestampColumn: column(o.timeColumn) ?? 0, valueColumns: [column(o.valueColumn) ?? 1], resolution: formatDuration(sensor.resolutionMs),
      });
      const series = parsed.series[0];
      const rejected = parsed.rejected;
      if (o.strict && rejected.length) throw invalidMany(rejected.map((r) => ({ line: r.line, message: r.reason })), `${rejected.length} row(s) rejected; nothing written (--strict)`);
      const beliefTime = o.beliefTime ? parseInstant(o.beliefTime, '--belief-time') : Date.now();
      const source = await store.sources.ensure({ kind: o.source as SourceKind, name: o.sourceName ?? 'cli import' });
      const written = o.dryRun || !series ? 0 : await writeWithProgress(store, sensor, { ...series, unit }, beliefTime, source.id, !!g().json);
      const summary = {
        file, bytes: size, sensor: sensor.id, dryRun: !!o.dryRun, written,
        start: series ? formatInstant(series.start) : null,
        end: series ? formatInstant(series.start + series.values.length * series.resolutionMs) : null,
        rejected: rejected.map((r) => ({ line: r.line, reason: r.reason })),
      };
      output(g(), summary, (d) => [
        `${d.dryRun ? 'would write' : 'wrote'} ${d.dryRun ? series?.values.filter((v) => v !== null).length ?? 0 : d.written} values to sensor ${d.sensor}${d.start ? ` (${d.start} to ${d.end})` : ''}`,
        `rejected ${d.rejected.length} row(s)${d.rejected.length ? ':' : ''}`,
        ...d.rejected.slice(0, 50).map((r) => `  line ${r.line}: ${r.reason}`),
        ...(d.rejected.length > 50 ? [`  ... and ${d.rejected.length - 50} more (use --json for all)`] : []),
      ].join('\n'));
      if (rejected.length) process.exitCode = 3;
    }));

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
