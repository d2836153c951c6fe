/** Test helpers: a second Mosquitto on its own port (to stop and start), a platform on PGlite, waiting. */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => { c.end(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A Mosquitto of our own (persistent sessions in a temp folder), stopped and started by the test. */
export async function ownMosquitto(): Promise<{ url: string; start(): Promise<void>; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gridflex-mosq-'));
  chmodSync(dir, 0o777); // mosquitto started as root drops to its own user and must still write its persistence file
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${dir}/\nmax_queued_messages 100000\nmax_inflight_messages 100\n`);
  let proc: ChildProcess | undefined;
  const m = {
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      proc = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
      await waitFor(() => portOpen(port), 5_000, 'mosquitto to listen');
    },
    async stop() {
      const p = proc;
      if (!p || p.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill('SIGTERM');
      });
    },
  };
  await m.start();
  return m;
}

export function uniquePrefix(): string {
  return `gftest-${randomBytes(4).toString('hex')}/`;
}

/** A fresh embedded database with one account and site. */
export async function platformStore(): Promise<{ store: Store; siteId: number; accountId: number }> {
  const store = await openStore({ dataDir: 'memory://' });
  const account = await store.accounts.create(`edge-${randomBytes(3).toString('hex')}`);
  const site = await store.sites.create('all', { accountId: account.id, name: 'house', timezone: 'Europe/Berlin' });
  return { store, siteId: site.id, accountId: account.id };
}

/** Readings rows stored for a channel of a site: slot starts, in order. */
export async function storedSlots(store: Store, siteId: number, channel: string): Promise<number[]> {
  const sensor = (await store.sensors.list('all', { siteId })).find((s) => s.name === channel);
  if (!sensor) return [];
  const rows = await store.beliefs.history({ sensorId: sensor.id, start: 0, end: Date.UTC(2100, 0, 1) });
  return rows.map((r) => r.slotStart).sort((a, b) => a - b);
}
