import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridflexIn } from '../helpers/cli.ts';

let dir: string;

const gridflex = gridflexIn(() => join(dir, 'db'));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gridflex-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the gridflex command', () => {
  it('has --help on every command', async () => {
    const top = await gridflex('--help');
    expect(top.code).toBe(0);
    for (const c of ['serve', 'worker', 'migrate', 'users', 'tokens', 'sites', 'sensors', 'import', 'export']) expect(top.stdout).toContain(c);
    const imp = await gridflex('import', '--help');
    expect(imp.stdout).toMatch(/--sensor <id>/);
    expect(imp.stdout).toMatch(/--timezone/);
  });

  it('adds a user, a token, a site and a sensor, imports a CSV with a summary of rejected rows, and exports it', async () => {
    expect((await gridflex('migrate')).code).toBe(0);
    const user = await gridflex('--json', 'users', 'add', '--email', 'op@example.test', '--password', 'long enough', '--account', 'Coop', '--role', 'account-admin');
    expect(user.code, user.stderr).toBe(0);
    expect(JSON.parse(user.stdout)).toMatchObject({ user: { email: 'op@example.test', role: 'account-admin' }, accountCreated: true });
    const token = await gridflex('--json', 'tokens', 'create', '--email', 'op@example.test', '--name', 'ci');
    expect(JSON.parse(token.stdout).token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const site = JSON.parse((await gridflex('--json', 'sites', 'add', '--account', 'Coop', '--name', 'Barn', '--timezone', 'Europe/Berlin')).stdout);
    const sensor = JSON.parse((await gridflex('--json', 'sensors', 'add', '--site', String(site.id), '--name', 'load', '--quantity', 'power', '--unit', 'kW', '--resolution', 'PT15M')).stdout);

    const csv = join(dir, 'load.csv');
    writeFileSync(csv, 'time;load\n01.05.2024 00:00;1,5\n01.05.2024 00:15;2\n01.05.2024 00:30;oops\n01.05.2024 00:45;3;4\n01.05.2024 01:00;2,5\n');
    const imported = await gridflex('import', csv, '--sensor', String(sensor.id), '--timezone', 'Europe/Berlin', '--decimal', ',', '--date-format', 'DD.MM.YYYY HH:mm', '--unit', 'kW');
    expect(imported.code).toBe(3);
    expect(imported.stdout).toMatch(/wrote 3 values/);
    expect(imported.stdout).toMatch(/line 4: .*oops/);
    expect(imported.stdout).toMatch(/line 5: .*columns/);

    const exported = await gridflex('export', '--sensor', String(sensor.id), '--start', '2024-05-01T00:00:00+02:00', '--end', '2024-05-01T01:15:00+02:00', '--unit', 'W', '--timezone', 'Europe/Berlin');
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trim().split('\n')).toEqual([
      'timestamp,value',
      '2024-05-01T00:00:00+02:00,1500',
      '2024-05-01T00:15:00+02:00,2000',
      '2024-05-01T00:30:00+02:00,',
      '2024-05-01T00:45:00+02:00,',
      '2024-05-01T01:00:00+02:00,2500',
    ]);
  }, 240_000);

  it('explains bad input with the option it concerns and exit code 2', async () => {
    const role = await gridflex('users', 'add', '--email', 'x@example.test', '--password', 'long enough', '--account', 'Coop', '--role', 'king');
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/--role/);
    const unit = await gridflex('sensors', 'add', '--site', '1', '--name', 'x', '--quantity', 'power', '--unit', 'kWh', '--resolution', 'PT15M');
    expect(unit.code).toBe(2);
    expect(unit.stderr).toMatch(/--unit/);
    const strict = join(dir, 'strict.csv');
    writeFileSync(strict, 'timestamp,value\n2024-05-02T00:00:00Z,1\n2024-05-02T00:15:00Z,x\n');
    const refused = await gridflex('import', strict, '--sensor', '1', '--strict');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/line 3/);
  }, 120_000);

  it('schedules a self-contained request file: one uninterrupted 5-step run lands in slots 1-5 at 8.25 EUR', async () => {
    const request = {
      start: '2024-01-01T00:00:00Z', slots: 10, resolution: 'PT30M',
      context: { importPrice: { unit: 'EUR/kWh', resolution: 'PT30M', values: [2, 1, 1, 1, 1, 1.5, 1.1, 2, 2, 2] } },
      assets: [{ id: 'washer', type: 'shiftable-load', profileKw: [3, 3, 3, 3, 3], earliestStart: '2024-01-01T00:00:00Z', latestEnd: '2024-01-01T05:00:00Z' }],
    };
    const file = join(dir, 'request.json');
    writeFileSync(file, JSON.stringify(request));
    const out = join(dir, 'result.json');
    const r = await gridflex('schedule', '--input', file, '--output', out);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.status).toBe('optimal');
    expect(result.cost.total).toBeCloseTo(8.25, 9);
    expect(result.assets[0].powerKw).toEqual([0, 3, 3, 3, 3, 3, 0, 0, 0, 0]);
    writeFileSync(file, JSON.stringify({ ...request, assets: [{ ...request.assets[0], profileKw: [-3] }] }));
    const bad = await gridflex('schedule', '--input', file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/assets\[0\]\.profileKw\[0\]/);
  }, 120_000);
});
