import { readFileSync } from 'node:fs';
import { ProblemError, invalid } from '../core/errors.ts';
import type { Store } from '../store/types.ts';

/** Global options every command shares. */
export interface GlobalOptions {
  json?: boolean;
  databaseUrl?: string;
  dataDir?: string;
}

/** The database from --database-url / DATABASE_URL, else the embedded PGlite in --data-dir / GRIDFLEX_DATA_DIR / ./.gridflex. */
export async function withStore<T>(g: GlobalOptions, fn: (store: Store) => Promise<T>): Promise<T> {
  const { openStore } = await import('../store/open.ts');
  const store = await openStore({ databaseUrl: g.databaseUrl ?? process.env.DATABASE_URL, dataDir: g.dataDir, migrate: true });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Prints `data` as JSON (--json) or as the human text `human` makes of it. */
export function output<T>(g: GlobalOptions, data: T, human: (d: T) => string): void {
  process.stdout.write(g.json ? `${JSON.stringify(data, null, 2)}\n` : `${human(data)}\n`);
}

/** Prints an error a person can act on, and sets the exit code (2 for bad input, 1 otherwise). */
export function reportError(err: unknown, json = false): void {
  if (err instanceof ProblemError) {
    if (json) process.stderr.write(`${JSON.stringify({ title: err.title, status: err.status, detail: err.message, errors: err.errors })}\n`);
    else {
      process.stderr.write(`error: ${err.message}\n`);
      const items = err.errors.length === 1 && err.message.includes(err.errors[0].message) ? [] : err.errors;
      for (const e of items.slice(0, 20)) process.stderr.write(`  ${e.line !== undefined ? `line ${e.line}` : e.field}: ${e.message}\n`);
      if (items.length > 20) process.stderr.write(`  ... and ${items.length - 20} more\n`);
    }
    process.exitCode = err.status < 500 ? 2 : 1;
    return;
  }
  process.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
  process.exitCode = 1;
}

/** A simple aligned table for human output. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (!rows.length) return '(none)';
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '' : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** Reads a JSON file (`-` for stdin); a missing file or bad JSON is a 400 naming the option that gave it. */
export function readJsonFile(path: string, option: string): unknown {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    throw invalid(option, `cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalid(option, `${path} is not JSON: ${(e as Error).message}`);
  }
}
