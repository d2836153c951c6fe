/**
 * The embedded MQTT broker (aedes) `gridflex serve` starts when no `MQTT_URL` is set. Each agent logs in with
 * its site id as user name and its own token (stored as SHA-256 in edge_agents.token_hash); it may publish only
 * under `<prefix>sites/<its id>/up/...` and subscribe only to `<prefix>sites/<its id>/down`. The platform's
 * service logs in with a secret made at start.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Store } from '../store/types.ts';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Makes a new token for a site's agent, stores its hash, and returns the token (shown once). */
export async function issueAgentToken(store: Store, siteId: number): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await store.query(
    `INSERT INTO edge_agents (site_id, token_hash) VALUES ($1, $2) ON CONFLICT (site_id) DO UPDATE SET token_hash = EXCLUDED.token_hash`,
    [siteId, hashToken(token)],
  );
  return token;
}

/** True when `topic` is one an agent of `siteId` may publish to. */
export function agentMayPublish(prefix: string, siteId: string, topic: string): boolean {
  return topic.startsWith(`${prefix}sites/${siteId}/up/`) && !topic.includes('+') && !topic.includes('#');
}

export function agentMaySubscribe(prefix: string, siteId: string, topic: string): boolean {
  return topic === `${prefix}sites/${siteId}/down`;
}

export interface EmbeddedBroker { port: number; platform: { username: string; password: string }; close(): Promise<void> }

export async function startEmbeddedBroker(opts: { store: Store; port: number; host?: string; topicPrefix?: string; log?: (l: string) => void }): Promise<EmbeddedBroker> {
  const prefix = opts.topicPrefix ?? '';
  const log = opts.log ?? ((l: string) => process.stderr.write(`mqtt: ${l}\n`));
  const platform = { username: 'gridflex-platform', password: randomBytes(24).toString('base64url') };
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const secret = password?.toString() ?? '';
      if (username === platform.username) return done(null, secret === platform.password);
      if (!username || !/^\d+$/.test(username)) return done(null, false);
      opts.store.query<{ token_hash: string | null }>('SELECT token_hash FROM edge_agents WHERE site_id = $1', [Number(username)]).then((rows) => {
        const want = rows[0]?.token_hash;
        const ok = !!want && timingSafeEqual(Buffer.from(want), Buffer.from(hashToken(secret)));
        if (!ok) log(`refused login of ${username} from client ${client.id}`);
        done(null, ok);
      }, () => done(null, false));
    },
    authorizePublish: (client, packet, callback) => {
      const user = (client as unknown as { gridflexUser?: string } | null)?.gridflexUser;
      if (!client || user === platform.username) return callback(null);
      if (user && agentMayPublish(prefix, user, packet.topic)) return callback(null);
      log(`refused publish of ${user ?? client.id} to ${packet.topic}`);
      callback(new Error('not allowed'));
    },
    authorizeSubscribe: (client, sub, callback) => {
      const user = (client as unknown as { gridflexUser?: string }).gridflexUser;
      if (user === platform.username || (user && agentMaySubscribe(prefix, user, sub.topic))) return callback(null, sub);
      log(`refused subscription of ${user ?? client.id} to ${sub.topic}`);
      callback(new Error('not allowed'));
    },
  });
  // Remember who logged in on each client for the authorize hooks.
  const auth = broker.authenticate;
  broker.authenticate = (client, username, password, done) => auth(client, username, password, (err, ok) => {
    if (ok) (client as unknown as { gridflexUser?: string }).gridflexUser = username;
    done(err, ok);
  });
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : opts.port,
    platform,
    close: () => new Promise<void>((resolve) => broker.close(() => server.close(() => resolve()))),
  };
}
