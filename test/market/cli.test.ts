import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridflexIn } from '../helpers/cli.ts';

let dir: string;

const gridflex = gridflexIn(() => join(dir, 'db'));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const ones = (side: string, prices: number[], prefix: string) => prices.map((p, k) => ({ id: `${prefix}${k}`, member: `${prefix}${k}`, side, energyKwh: 1, limitPrice: p }));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gridflex-market-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gridflex market clear', () => {
  it('clears the books of the issue: offers 2,3,3,5,6,7,8 against bids 1..7 trade 3 kWh at 4.5', async () => {
    const input = file('book.json', { orders: [...ones('sell', [2, 3, 3, 5, 6, 7, 8], 's'), ...ones('buy', [1, 2, 3, 4, 5, 6, 7], 'b')] });
    const r = await gridflex('market', 'clear', '--input', input);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ mechanism: 'pay-as-clear', price: 4.5, volumeKwh: 3 });
    expect(out.trades).toHaveLength(3);
    const bid = await gridflex('market', 'clear', '--input', input, '--mechanism', 'pay-as-bid');
    expect(JSON.parse(bid.stdout).trades.map((t: { price: number }) => t.price)).toEqual([7, 6, 5]);
  });

  it('refuses bad input with its detail and exit code 2', async () => {
    const bad = await gridflex('market', 'clear', '--input', file('bad.json', { orders: [{ id: 'a', member: 'x', side: 'buy', energyKwh: -1, limitPrice: 1 }] }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/energyKwh/);
    const notJson = await gridflex('market', 'clear', '--input', file('bad.txt', '{orders'));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/input.*not JSON/);
    const mech = await gridflex('market', 'clear', '--input', file('ok.json', { orders: [] }), '--mechanism', 'auction');
    expect(mech.code).toBe(2);
    expect(mech.stderr).toMatch(/mechanism/);
  });
});

describe('gridflex market create, list, bills and ledger verify', () => {
  it('creates a market in an account, bills nothing yet and verifies an empty ledger', async () => {
    expect((await gridflex('users', 'add', '--email', 'op@street.test', '--password', 'long enough', '--account', 'Street', '--role', 'account-admin')).code).toBe(0);
    const created = await gridflex('--json', 'market', 'create', '--account', 'Street', '--name', 'Lindenstrasse', '--time-zone', 'Europe/Berlin', '--retail-price', '0.32', '--feed-in-tariff', '0.08', '--local-grid-fee', '0.03');
    expect(created.code, created.stderr).toBe(0);
    const m = JSON.parse(created.stdout);
    expect(m).toMatchObject({ name: 'Lindenstrasse', slot: 'PT15M', gateClosure: 'PT5M', retailPrice: 0.32, localGridFee: 0.03 });
    const badPrice = await gridflex('market', 'create', '--account', 'Street', '--name', 'x', '--time-zone', 'Europe/Berlin', '--retail-price', 'cheap', '--feed-in-tariff', '0.08');
    expect(badPrice.code).toBe(2);
    expect(badPrice.stderr).toMatch(/retailPrice/);
    const bills = await gridflex('--json', 'market', 'bills', '--market', String(m.id), '--from', '2024-06-01T00:00:00+02:00', '--to', '2024-06-02T00:00:00+02:00');
    expect(JSON.parse(bills.stdout)).toEqual({ items: [] });
    const verify = await gridflex('ledger', 'verify', '--market', String(m.id));
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/0 entries, intact/);
  }, 240_000);
});
