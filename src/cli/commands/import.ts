import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { invalid, invalidMany, notFound } from '../../core/errors.ts';
import { formatDuration, formatInstant, parseInstant } from '../../core/time.ts';
import { detectFormat, FORMATS, parseFile, type FileResult, type FormatName, type GenericCsvOptions, type ParseResult } from '../../ingest/formats/index.ts';
import { GenericCsvReader } from '../../ingest/formats/generic-csv.ts';
import { dryRunSummary } from '../../ingest/import-summary.ts';
import { importParsed, type ImportTarget } from '../../ingest/store-import.ts';
import { writeSeries } from '../../store/series.ts';
import { SOURCE_KINDS, type Sensor, type SourceKind, type Store } from '../../store/types.ts';
import { type GlobalOptions, output, withStore } from '../context.ts';

const CHUNK = 50_000;

interface ImportOptions {
  format?: string; sensor?: string; site?: string; account?: string; sequence?: string;
  unit?: string; timezone?: string; decimal?: string; delimiter?: string; dateFormat?: string;
  timeColumn?: string; valueColumn?: string; source?: string; sourceName?: string; beliefTime?: string; strict?: boolean; dryRun?: boolean;
}

export async function sensorById(store: Store, id: string): Promise<Sensor> {
  const n = Number(id);
  const sensor = Number.isInteger(n) ? await store.sensors.get('all', n) : null;
  if (!sensor) throw notFound(`sensor ${id}`);
  return sensor;
}

function column(spec: string | undefined): string | number | undefined {
  if (spec === undefined) return undefined;
  return /^\d+$/.test(spec) ? Number(spec) : spec;
}

function progressBar(total: number, quiet: boolean, what: string): SingleBar | null {
  if (quiet || !process.stderr.isTTY || total <= CHUNK) return null;
  const bar = new SingleBar({ format: `${what} [{bar}] {percentage}% {value}/{total} slots`, stream: process.stderr }, Presets.shades_classic);
  bar.start(total, 0);
  return bar;
}

/** Writes the series in chunks inside one transaction, with a progress bar on a terminal. */
async function writeWithProgress(store: Store, sensor: Sensor, s: { start: number; resolutionMs: number; unit: string; values: (number | null)[] }, beliefTime: number, sourceId: number, quiet: boolean): Promise<number> {
  const bar = progressBar(s.values.length, quiet, 'writing');
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

const READ_CHUNK = 1 << 20;

/** Reads a generic CSV in 1 MB chunks, with a bar by bytes on a terminal for files over 8 MB. */
function readCsv(text: string, options: GenericCsvOptions, quiet: boolean): ParseResult {
  const reader = new GenericCsvReader(options);
  const show = !quiet && process.stderr.isTTY && text.length > 8 * READ_CHUNK;
  const bar = show ? new SingleBar({ format: 'reading [{bar}] {percentage}% {lines} lines', stream: process.stderr }, Presets.shades_classic) : null;
  bar?.start(text.length, 0, { lines: 0 });
  try {
    for (let at = 0; at < text.length; at += READ_CHUNK) {
      reader.write(text.slice(at, at + READ_CHUNK));
      bar?.update(Math.min(text.length, at + READ_CHUNK), { lines: reader.lines });
    }
    return reader.end();
  } finally {
    bar?.stop();
  }
}

function checkCommon(o: ImportOptions): void {
  if (o.source !== undefined && !(SOURCE_KINDS as readonly string[]).includes(o.source)) throw invalid('--source', `must be one of ${SOURCE_KINDS.join(', ')}`);
  if (o.decimal !== undefined && o.decimal !== '.' && o.decimal !== ',') throw invalid('--decimal', 'must be . or ,');
  if (o.format !== undefined && !(FORMATS as readonly string[]).includes(o.format)) throw invalid('--format', `must be one of ${FORMATS.join(', ')}`);
  if ([o.sensor, o.site, o.account].filter((x) => x !== undefined).length > 1) throw invalid('--sensor', 'give one of --sensor, --site or --account');
}

/** A timestamp,value CSV into one sensor, on the sensor's unit and grid (the original `import --sensor` path). */
async function importCsvIntoSensor(g: GlobalOptions, file: string, o: ImportOptions): Promise<void> {
  await withStore(g, async (store) => {
    const sensor = await sensorById(store, o.sensor!);
    const size = statSync(file).size;
    const unit = o.unit ?? sensor.unit;
    const parsed = readCsv(readFileSync(file, 'utf8'), {
      unit, quantity: sensor.quantity, timeZone: o.timezone, decimalSeparator: o.decimal as '.' | ',' | undefined, delimiter: o.delimiter,
      dateFormat: o.dateFormat, timestampColumn: column(o.timeColumn) ?? 0, valueColumns: [column(o.valueColumn) ?? 1], resolution: formatDuration(sensor.resolutionMs),
    }, !!g.json);
    const series = parsed.series[0];
    const rejected = parsed.rejected;
    if (o.strict && rejected.length) throw invalidMany(rejected.map((r) => ({ line: r.line, message: r.reason })), `${rejected.length} row(s) rejected; nothing written (--strict)`);
    const beliefTime = o.beliefTime ? parseInstant(o.beliefTime, '--belief-time') : Date.now();
    const source = await store.sources.ensure({ kind: (o.source ?? 'user') as SourceKind, name: o.sourceName ?? 'cli import' });
    const written = o.dryRun || !series ? 0 : await writeWithProgress(store, sensor, { ...series, unit }, beliefTime, source.id, !!g.json);
    const summary = {
      file, bytes: size, sensor: sensor.id, dryRun: !!o.dryRun, written,
      start: series ? formatInstant(series.start) : null,
      end: series ? formatInstant(series.start + series.values.length * series.resolutionMs) : null,
      rejected: rejected.map((r) => ({ line: r.line, reason: r.reason })),
    };
    output(g, summary, (d) => [
      `${d.dryRun ? 'would write' : 'wrote'} ${d.dryRun ? series?.values.filter((v) => v !== null).length ?? 0 : d.written} values to sensor ${d.sensor}${d.start ? ` (${d.start} to ${d.end})` : ''}`,
      ...rejectedLines(d.rejected),
    ].join('\n'));
    if (rejected.length) process.exitCode = 3;
  });
}

function rejectedLines(rejected: { line: number; reason: string }[]): string[] {
  return [
    `rejected ${rejected.length} row(s)${rejected.length ? ':' : ''}`,
    ...rejected.slice(0, 50).map((r) => `  line ${r.line}: ${r.reason}`),
    ...(rejected.length > 50 ? [`  ... and ${rejected.length - 50} more (use --json for all)`] : []),
  ];
}

function csvOptions(o: ImportOptions): GenericCsvOptions | undefined {
  if (!o.unit) return undefined;
  return {
    unit: o.unit, timeZone: o.timezone, decimalSeparator: o.decimal as '.' | ',' | undefined, delimiter: o.delimiter, dateFormat: o.dateFormat,
    timestampColumn: column(o.timeColumn) ?? 0, valueColumns: o.valueColumn ? [column(o.valueColumn)!] : undefined,
  };
}

async function targetOf(store: Store, o: ImportOptions): Promise<ImportTarget> {
  if (o.sensor !== undefined) {
    const sensor = await sensorById(store, o.sensor);
    return { accountId: sensor.accountId, sensorId: sensor.id };
  }
  if (o.site !== undefined) {
    const n = Number(o.site);
    const site = Number.isInteger(n) ? await store.sites.get('all', n) : null;
    if (!site) throw notFound(`site ${o.site}`);
    return { accountId: site.accountId, siteId: site.id };
  }
  if (o.account === undefined) throw invalid('--account', 'give the account (price zones), the site (building fields, CSV columns) or the sensor to import into');
  const account = await store.accounts.getByName(o.account);
  if (!account) throw notFound(`account "${o.account}"`);
  return { accountId: account.id };
}

function printChargingRequests(g: GlobalOptions, parsed: Extract<FileResult, { format: 'acn-sessions' }>): void {
  output(g, { format: parsed.format, requests: parsed.requests, rejected: parsed.rejected }, (d) => [
    `read ${d.requests.length} charging request(s) (charging requests are read, not stored)`,
    ...rejectedLines(d.rejected),
  ].join('\n'));
}

/** Any supported file into the account's price-zone sensors or a site's sensors, in one transaction. */
async function importAnyFile(g: GlobalOptions, file: string, o: ImportOptions, format: FormatName, text: string): Promise<void> {
  if (o.sequence !== undefined && !/^[1-9]\d*$/.test(o.sequence)) throw invalid('--sequence', 'must be a positive whole number');
  const csv = csvOptions(o);
  const parsed: FileResult = format === 'generic-csv' && csv
    ? { format, ...readCsv(text, csv, !!g.json) }
    : parseFile(basename(file), text, { format, csv, sequence: o.sequence ? Number(o.sequence) : undefined });
  if ('requests' in parsed) {
    printChargingRequests(g, parsed);
    if (parsed.rejected.length) process.exitCode = 3;
    return;
  }
  if (o.strict && parsed.rejected.length) throw invalidMany(parsed.rejected.map((r) => ({ line: r.line, message: r.reason })), `${parsed.rejected.length} row(s) rejected; nothing written (--strict)`);
  if (o.dryRun) {
    output(g, dryRunSummary(parsed), (d) => [
      ...d.series.map((s) => `would write ${s.count} values of ${s.zone ?? s.field} (${s.unit}, ${s.resolution}, ${s.start} to ${s.end})`),
      ...rejectedLines(d.rejected),
    ].join('\n'));
    if (parsed.rejected.length) process.exitCode = 3;
    return;
  }
  await withStore(g, async (store) => {
    const target = await targetOf(store, o);
    const total = parsed.series.reduce((n, s) => n + s.values.length, 0);
    const bar = progressBar(total, !!g.json, 'writing');
    try {
      const outcome = await importParsed(store, 'all', parsed, target, {
        beliefTime: o.beliefTime ? parseInstant(o.beliefTime, '--belief-time') : Date.now(),
        sourceKind: o.source as SourceKind | undefined, sourceName: o.sourceName ?? format,
        onProgress: (done) => bar?.update(done),
      });
      bar?.stop();
      output(g, { file, format, ...outcome }, (d) => [
        ...d.series.map((s) => `wrote ${s.written} values of ${s.key} to sensor ${s.sensorId} "${s.sensorName}"${s.created ? ' (new)' : ''} (${s.start} to ${s.end})`),
        `${d.written} values in ${d.series.length} series`,
        ...rejectedLines(d.rejected),
      ].join('\n'));
    } finally {
      bar?.stop();
    }
    if (parsed.rejected.length) process.exitCode = 3;
  });
}

/** `import FILE [--format F] [--sensor ID | --site ID | --account NAME]`. */
export function importCommand(program: Command, g: () => GlobalOptions): void {
  program.command('import').description('import a file (ENTSO-E, SMARD, EMI, WITS, BEMS, ACN, CSV); rows that fail are listed with their reason')
    .argument('<file>', 'the file')
    .option('--format <format>', `one of ${FORMATS.join(', ')} (detected when left out)`)
    .option('--sequence <n>', 'ENTSO-E: keep one auction (classificationSequence position); default: every auction as ZONE:n')
    .option('--sensor <id>', 'sensor id (a file with one series)')
    .option('--site <id>', 'site whose sensors take building fields or CSV columns (created by name)')
    .option('--account <name>', 'account whose price-zone sensors take prices (created per zone or node)')
    .option('--unit <unit>', "unit of the values (generic CSV; default: the sensor's)")
    .option('--timezone <tz>', 'IANA zone for timestamps without offset')
    .option('--decimal <sep>', 'decimal separator: . or ,')
    .option('--delimiter <sep>', 'column separator (guessed when left out)')
    .option('--date-format <fmt>', 'iso (default), unix, unix-ms or a pattern like "DD.MM.YYYY HH:mm"')
    .option('--time-column <name|index>', 'timestamp column (default: the first)')
    .option('--value-column <name|index>', 'value column (default: the second with --sensor, else all)')
    .option('--source <kind>', `source kind: ${SOURCE_KINDS.join(', ')} (default: user with --sensor, else feed; forecasts: forecaster)`)
    .option('--source-name <name>', 'source name (default: the format)')
    .option('--belief-time <iso>', 'when the values were known (default: now; forecasts: their run time)')
    .option('--strict', 'write nothing when any row is rejected')
    .option('--dry-run', 'parse and report, write nothing')
    .action(async (file: string, o: ImportOptions) => {
      checkCommon(o);
      const text = readFileSync(file, 'utf8');
      const format = (o.format as FormatName | undefined) ?? detectFormat(basename(file), text.slice(0, 4096));
      if (format === 'generic-csv' && o.sensor !== undefined) return importCsvIntoSensor(g(), file, o);
      return importAnyFile(g(), file, o, format, text);
    });
}
