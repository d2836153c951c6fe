// Entry of a solver thread: threads start without the TypeScript loader of the main thread, so register it here.
import { register } from 'tsx/esm/api';

register();
await import('./solve-thread.ts');
