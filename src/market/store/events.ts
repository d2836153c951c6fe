/**
 * "A slot has cleared" events for server-sent events. A clearing in this process is announced at once; the
 * SSE route also polls the store, so clearings by workers in other processes reach the client too.
 */
import { EventEmitter } from 'node:events';
import type { Id } from '../../store/types.ts';
import type { StoredClearing } from './clearing.ts';

const bus = new EventEmitter();
bus.setMaxListeners(0);

export function announceClearing(c: StoredClearing): void {
  bus.emit(`cleared:${c.marketId}`, c);
}

/** Calls `fn` for each clearing of the market announced in this process; returns the unsubscribe function. */
export function onClearing(marketId: Id, fn: (c: StoredClearing) => void): () => void {
  bus.on(`cleared:${marketId}`, fn);
  return () => bus.off(`cleared:${marketId}`, fn);
}
