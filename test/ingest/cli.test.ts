import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridflexIn } from '../helpers/cli.ts';
import { recordedServer, type Recorded } from './recorded-server.ts';

const SMARD = join(process.cwd(), '../shared/data/prices-de-smard-2024/Gro_handelspreise_202401010000_202501010000_Stunde.csv');
const A44 = join(process.cwd(), '../shared/data/entsoe-xml/response-PT15M-DE-LU.xml');
let dir: string;
let server: Recorded;

const gridflex = gridflexIn(() => join(dir, 'db'));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gridflex-ingest-cli-'));
  server = await recordedServer();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server.close();
});

describe('gridflex import, feeds, forecast and backtest', () => {
  it('--dry-run --json prints every zone with unit, resolution and values, and needs no database', async () => {
    const r = await gridflex('--json', 'import', SMARD, '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.series).toHaveLength(17);
    const de = d.series.find((s: { zone: string }) => s.zone === 'DE-LU');
    expect(de).toMatchObject({ unit: 'EUR/MWh', resolution: 'PT1H', start: '2023-12-31T23:00:00Z', end: '2024-12-31T23:00:00Z', count: 8784 });
    expect(de.values[0]).toBe(0.1);
    expect(d.rejected).toEqual([]);
  }, 60_000);

  it('imports into an account, forecasts and back-tests the price zone', async () => {
    expect((await gridflex('users', 'add', '--email', 'op@example.test', '--password', 'long enough', '--account', 'Coop', '--role', 'account-admin')).code).toBe(0);
    // Known as of mid-June 2024, so a forecast made then may use the values before it.
    const imp = await gridflex('--json', 'import', SMARD, '--account', 'Coop', '--belief-time', '2024-06-12T12:00:00Z');
    expect(imp.code, imp.stderr).toBe(0);
    const out = JSON.parse(imp.stdout);
    expect(out.series).toHaveLength(17);
    const de = out.series.find((s: { key: string }) => s.key === 'DE-LU');
    expect(de).toMatchObject({ created: true, written: 8784 });

    const f = await gridflex('--json', 'forecast', '--sensor', String(de.sensorId), '--method', 'seasonal-naive-week', '--horizon', 'PT48H', '--now', '2024-06-12T12:00:00Z');
    expect(f.code, f.stderr).toBe(0);
    const early = await gridflex('forecast', '--sensor', String(de.sensorId), '--method', 'persistence', '--now', '2024-06-01T00:00:00Z');
    expect(early.code).toBe(2); // nothing was known then: the import's belief time is later
    expect(early.stderr).toMatch(/no actual values/);
    const fc = JSON.parse(f.stdout);
    expect(fc).toMatchObject({ method: 'seasonal-naive-week', source: 'forecaster:seasonal-naive-week', start: '2024-06-12T12:00:00Z', beliefTime: '2024-06-12T12:00:00Z' });
    expect(fc.values).toHaveLength(48);
    const week = await gridflex('export', '--sensor', String(de.sensorId), '--start', '2024-06-05T12:00:00Z', '--end', '2024-06-07T12:00:00Z', '--source', 'feed');
    const weekAgo = week.stdout.trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
    expect(fc.values).toEqual(weekAgo);

    const bt = await gridflex('backtest', '--sensor', String(de.sensorId), '--method', 'regression', '--timezone', 'Europe/Berlin');
    expect(bt.code, bt.stderr).toBe(0);
    expect(bt.stdout).toMatch(/origins; skill against seasonal-naive-day/);
    expect(bt.stdout).toMatch(/^regression\s+\d+\.\d+\s+\d+\.\d+/m);
  }, 240_000);

  it('adds, runs and lists a feed with its status', async () => {
    server.answers.set('/price', [{ status: 200, body: readFileSync('../shared/data/prices-de-api-samples/elecpriceforecast_energycharts.json', 'utf8') }]);
    const add = await gridflex('--json', 'feeds', 'add', '--account', 'Coop', '--name', 'charts', '--kind', 'energy-charts', '--zone', 'AT', '--base-url', server.url);
    expect(add.code, add.stderr).toBe(0);
    const id = JSON.parse(add.stdout).id;
    const ran = await gridflex('feeds', 'run', String(id));
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/wrote 48 values/);
    const list = JSON.parse((await gridflex('--json', 'feeds')).stdout);
    expect(list.items[0]).toMatchObject({ id, kind: 'energy-charts', status: { failures: 0, lastWritten: 48 } });
    expect(list.items[0].status.lastSuccessAt).toMatch(/^\d{4}-/);
  }, 120_000);

  it('a CSV of several columns becomes the site\'s sensors, one per column', async () => {
    const site = JSON.parse((await gridflex('--json', 'sites', 'add', '--account', 'Coop', '--name', 'Barn', '--timezone', 'Europe/Berlin')).stdout);
    const csv = join(dir, 'barn.csv');
    writeFileSync(csv, 'time;pv;load\n2024-05-01 00:00;0;1,5\n2024-05-01 00:15;0;1,25\n2024-05-01 00:30;x;1\n');
    const r = await gridflex('--json', 'import', csv, '--site', String(site.id), '--unit', 'kW', '--timezone', 'Europe/Berlin', '--decimal', ',', '--date-format', 'YYYY-MM-DD HH:mm');
    expect(r.code, r.stderr).toBe(3);
    const out = JSON.parse(r.stdout);
    expect(out.series.map((s: { key: string; created: boolean; written: number }) => [s.key, s.created, s.written])).toEqual([['pv', true, 2], ['load', true, 2]]); // the row with x is rejected whole
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0].line).toBe(4);
  }, 60_000);

  it('a truncated XML file is refused naming the line, exit code 2', async () => {
    const cut = join(dir, 'cut.xml');
    writeFileSync(cut, readFileSync(A44, 'utf8').slice(0, 4000));
    const r = await gridflex('import', cut, '--account', 'Coop');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line \d+: the XML ends early/);
  }, 60_000);
});
