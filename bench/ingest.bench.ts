/**
 * Ingest and forecasting speed: parse the SMARD 2024 file (all zones), a year of ENTSO-E A44 XML at PT15M
 * built by repeating the real document's structure, a million-row generic CSV, and a day-ahead back-test
 * of a year of 30-min household load with daily origins. Also prints the day-ahead skill figures of
 * docs/data.md. One JSON line per figure.
 */
import { readFileSync } from 'node:fs';
import { parseSmardCsv } from '../src/ingest/formats/smard.ts';
import { parseEntsoeA44 } from '../src/ingest/formats/entsoe.ts';
import { parseGenericCsv } from '../src/ingest/formats/generic-csv.ts';
import { backtest } from '../src/forecast/backtest.ts';
import { dayAheadBacktest } from '../src/forecast/dayahead.ts';

const DATA = new URL('../../shared/data/', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, DATA), 'utf8');
const out = (name: string, value: number, unit: string) => console.log(JSON.stringify({ name, value: Math.round(value * 1000) / 1000, unit }));

/**
 * Median wall time of `runs` calls after one warm-up call, and the process CPU time of the same call
 * (on a shared, busy machine the CPU time is the steadier figure; it includes GC helper threads).
 */
function time(fn: () => unknown, runs = 3): { wall: number; cpu: number } {
  fn();
  const t: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const s = performance.now();
    fn();
    const wall = performance.now() - s;
    const d = process.cpuUsage(c);
    t.push({ wall, cpu: (d.user + d.system) / 1000 });
  }
  return t.sort((a, b) => a.wall - b.wall)[Math.floor(runs / 2)];
}

function timed(name: string, fn: () => unknown, runs = 3): void {
  const { wall, cpu } = time(fn, runs);
  out(name, wall, 'ms');
  out(`${name} (process CPU time)`, cpu, 'ms');
}

/** A year (2024) of daily A44 TimeSeries at PT15M, two auctions per day, made from the real document's first TimeSeries. */
function yearOfA44(): string {
  const real = read('entsoe-xml/response-PT15M-DE-LU.xml');
  const head = real.slice(0, real.indexOf('<TimeSeries>'));
  const block = real.slice(real.indexOf('<TimeSeries>'), real.indexOf('</TimeSeries>') + '</TimeSeries>'.length);
  const parts: string[] = [head.replace('2025-10-30T23:00Z', '2023-12-31T23:00Z').replace('2025-11-01T23:00Z', '2024-12-31T23:00Z')];
  for (let d = 0; d < 366; d++) {
    const from = new Date(Date.UTC(2023, 11, 31, 23) + d * 86_400_000).toISOString().slice(0, 16) + 'Z';
    const to = new Date(Date.UTC(2023, 11, 31, 23) + (d + 1) * 86_400_000).toISOString().slice(0, 16) + 'Z';
    for (const seq of [1, 2]) {
      parts.push(block.replace('<start>2025-10-30T23:00Z</start>', `<start>${from}</start>`).replace('<end>2025-10-31T23:00Z</end>', `<end>${to}</end>`)
        .replace(/(<classificationSequence_AttributeInstanceComponent\.position>)\d+/, `$1${seq}`));
    }
  }
  parts.push('</Publication_MarketDocument>\n');
  return parts.join('\n');
}

const smard = read('prices-de-smard-2024/Gro_handelspreise_202401010000_202501010000_Stunde.csv');
timed('parse SMARD 2024 hourly, 17 zones (8,784 rows)', () => parseSmardCsv(smard));

const a44 = yearOfA44();
const parsed = parseEntsoeA44(a44);
const points = parsed.series.reduce((n, s) => n + s.values.length, 0);
timed(`parse ENTSO-E A44 year at PT15M (${(a44.length / 1e6).toFixed(1)} MB, ${points} prices)`, () => parseEntsoeA44(a44));

const rows = ['time,kw'];
const t0 = Date.UTC(2020, 0, 1);
for (let i = 0; i < 1_000_000; i++) rows.push(`${new Date(t0 + i * 900_000).toISOString()},${(i % 997) / 10}`);
const big = rows.join('\n');
timed('parse generic CSV, 1,000,000 rows', () => parseGenericCsv(big, { unit: 'kW' }), 1);

const load = parseGenericCsv(read('household-emhass-fr/long_train_data.csv'), { unit: 'W', timestampColumn: 'timestamp_utc', valueColumns: ['sensor.power_load_no_var_loads'] }).series[0];
const methods = ['persistence', 'seasonal-naive-week', 'exp-smoothing', 'regression'] as const;
const setup = dayAheadBacktest({ values: load.values, start: load.start, resolutionMs: load.resolutionMs, timeZone: 'Europe/Paris', methods: [...methods] });
const report = backtest(setup);
timed(`back-test a year of 30-min load, ${report.origins} daily origins, 5 methods`, () => backtest(setup), 1);
for (const m of report.methods) out(`household load day-ahead skill (MAE) of ${m.method} vs ${report.reference}`, m.overall.skill, 'ratio');

const de = parseSmardCsv(smard).series.find((x) => x.key === 'DE-LU')!;
const prices = backtest(dayAheadBacktest({ values: de.values, start: de.start, resolutionMs: de.resolutionMs, timeZone: 'Europe/Berlin', methods: [...methods], publishedBeforeDayMs: 11.25 * 3_600_000 }));
for (const m of prices.methods) out(`DE-LU 2024 price day-ahead skill (MAE) of ${m.method} vs ${prices.reference}`, m.overall.skill, 'ratio');

// Parse and store the whole SMARD 2024 file (all zones) through the import path, on PGlite and PostgreSQL.
const { openStore } = await import('../src/store/open.ts');
const { importParsed } = await import('../src/ingest/store-import.ts');
const pg = (await import('pg')).default;

async function timeAsync(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c = process.cpuUsage();
  const s = performance.now();
  await fn();
  const d = process.cpuUsage(c);
  return { wall: performance.now() - s, cpu: (d.user + d.system) / 1000 };
}

async function storeSmard(label: string, store: Awaited<ReturnType<typeof openStore>>): Promise<void> {
  let n = 0;
  const once = async () => {
    const account = await store.accounts.create(`bench ${++n}`);
    const r = parseSmardCsv(smard);
    await importParsed(store, 'all', r, { accountId: account.id }, { beliefTime: Date.UTC(2025, 0, 1), sourceName: 'smard' });
  };
  await once(); // warm-up
  const runs = [await timeAsync(once), await timeAsync(once), await timeAsync(once)].sort((a, b) => a.wall - b.wall);
  out(`parse and store SMARD 2024, 17 zones, 149,328 values, new sensors [${label}]`, runs[1].wall, 'ms');
  out(`parse and store SMARD 2024, 17 zones [${label}] (process CPU time)`, runs[1].cpu, 'ms');
}

{
  const store = await openStore({ dataDir: 'memory://' });
  await storeSmard('pglite', store);
  await store.close();
}
{
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_ingest_${process.pid}`;
  try {
    const store = await openStore({ databaseUrl: url, schema });
    try {
      await storeSmard('postgres', store);
    } finally {
      await store.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  } catch (e) {
    console.error(`PostgreSQL at ${url} not measured: ${(e as Error).message}`);
  }
}
