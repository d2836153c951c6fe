/** Turning validated readings messages into belief rows. Pure. */
import { RESOLUTIONS, type ReadingsMsg } from './messages.ts';

/** The grid every edge sensor is stored on (the agent's sampling step). */
export const EDGE_RESOLUTION_MS = RESOLUTIONS.PT30S;

export interface PlainRow { channel: string; slotStart: number; beliefTime: number; value: number }

/**
 * One row per 30-second slot. Means over 5 minutes or an hour (sent after a long outage) cover each of their
 * 30-second slots, so reads at 5 minutes or an hour give back the same mean. Belief time = end of the message's
 * span: the same message always gives the same rows, so writing it twice changes nothing.
 */
export function rowsOfReadings(msg: ReadingsMsg): PlainRow[] {
  const res = RESOLUTIONS[msg.resolution];
  const start = Date.parse(msg.start);
  const span = res * Math.max(...msg.channels.map((c) => c.values.length));
  const beliefTime = start + span;
  const per = res / EDGE_RESOLUTION_MS;
  const out: PlainRow[] = [];
  for (const c of msg.channels) {
    c.values.forEach((v, i) => {
      if (v === null) return;
      for (let k = 0; k < per; k++) out.push({ channel: c.channel, slotStart: start + i * res + k * EDGE_RESOLUTION_MS, beliefTime, value: v });
    });
  }
  return out;
}

/** The base unit the sensor of a channel is created in. */
export function sensorUnit(quantity: string): { quantity: 'power' | 'soc' | 'temperature' | 'energy' | 'fraction'; unit: string } {
  switch (quantity) {
    case 'power': return { quantity, unit: 'kW' };
    case 'soc': return { quantity, unit: 'kWh' };
    case 'energy': return { quantity, unit: 'kWh' };
    case 'temperature': return { quantity, unit: '°C' };
    default: return { quantity: 'fraction', unit: 'fraction' };
  }
}
