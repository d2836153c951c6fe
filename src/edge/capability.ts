/**
 * The edge capability: the agent status route, and the telemetry service started with the workers. Without
 * `MQTT_URL` it starts the embedded broker (aedes) on `GRIDFLEX_MQTT_PORT` (default 1883) first.
 */
import { hostname } from 'node:os';
import type { Capability } from '../api/extensions.ts';
import { startEmbeddedBroker } from './broker.ts';
import { edgeRoutes } from './routes.ts';
import { EdgeService } from './service.ts';

export const edgeCapability: Capability = {
  name: 'edge',
  routes: (app, ctx) => edgeRoutes(app, ctx.store, ctx.clock),
  services: async (ctx) => {
    const prefix = process.env.MQTT_TOPIC_PREFIX ?? '';
    let url = process.env.MQTT_URL;
    let creds = { username: process.env.MQTT_USERNAME, password: process.env.MQTT_PASSWORD };
    let closeBroker = async () => {};
    if (!url) {
      const port = Number(process.env.GRIDFLEX_MQTT_PORT ?? 1883);
      const broker = await startEmbeddedBroker({ store: ctx.store, port, topicPrefix: prefix }).catch((e: Error) => {
        process.stderr.write(`edge: the embedded MQTT broker could not listen on port ${port} (${e.message}); set MQTT_URL or GRIDFLEX_MQTT_PORT. Telemetry is off.\n`);
        return null;
      });
      if (!broker) return async () => {};
      url = `mqtt://127.0.0.1:${broker.port}`;
      creds = broker.platform;
      closeBroker = broker.close;
    }
    // An external broker: several connections share the subscription (and other platform processes may join).
    const connections = process.env.MQTT_URL ? Number(process.env.MQTT_CONNECTIONS ?? 4) : 1;
    // Stable per process across restarts (the broker keeps its session); each platform process needs its own.
    const clientId = process.env.MQTT_CLIENT_ID ?? `gridflex-platform-${hostname()}`;
    const service = new EdgeService({ store: ctx.store, url, topicPrefix: prefix, ...creds, connections, clientId, now: () => ctx.clock().getTime() });
    await service.start();
    return async () => {
      await service.stop();
      await closeBroker();
    };
  },
};
