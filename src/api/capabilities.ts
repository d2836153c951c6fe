/**
 * The capabilities the platform runs, in addition to the spine (accounts, sites, sensors, data, retention).
 * Each one adds routes to the API and jobs to the workers; see `Capability` in `./extensions.ts`.
 */
import type { Capability } from './extensions.ts';
import { edgeCapability } from '../edge/capability.ts';
import { dataCapability } from '../ingest/capability.ts';
import { marketCapability } from '../market/capability.ts';
import { scheduling } from '../scheduling/capability.ts';

export const CAPABILITIES: Capability[] = [edgeCapability, dataCapability, scheduling, marketCapability];
