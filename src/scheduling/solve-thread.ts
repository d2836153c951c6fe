/**
 * A solver thread of the `SolverPool`: answers `{id, request, options}` with `{id, result}` or `{id, error}`.
 * Its HiGHS instance (one per thread, loaded once) is warmed up at start and kept for every solve.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProblemError } from '../core/errors.ts';
import { schedule, warmUpScheduler, type ScheduleOptions } from '../schedule/index.ts';

export interface SolveMessage { id: number; request: unknown; options: Omit<ScheduleOptions, 'now'> }
export type SerializedError =
  | { kind: 'problem'; status: number; title: string; detail: string; field?: string; line?: number; errors: ProblemError['errors'] }
  | { kind: 'error'; name: string; message: string; stack?: string };
export type SolveReply = { id: number; result: unknown } | { id: number; error: SerializedError };

function serialize(err: unknown): SerializedError {
  if (err instanceof ProblemError) return { kind: 'problem', status: err.status, title: err.title, detail: err.message, field: err.field, line: err.line, errors: err.errors };
  const e = err instanceof Error ? err : new Error(String(err));
  return { kind: 'error', name: e.name, message: e.message, stack: e.stack };
}

const port = parentPort;
if (port) {
  port.on('message', async ({ id, request, options }: SolveMessage) => {
    let reply: SolveReply;
    try {
      reply = { id, result: await schedule(request, options) };
    } catch (err) {
      reply = { id, error: serialize(err) };
    }
    port.postMessage(reply);
  });
  const rounds = (workerData as { warmUpRounds?: number } | undefined)?.warmUpRounds ?? 0;
  if (rounds > 0) void warmUpScheduler(rounds).catch(() => undefined);
}
