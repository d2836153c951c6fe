import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'bin/gridflex.js');

export interface CliResult { code: number; stdout: string; stderr: string }

/**
 * `gridflex ...` in a child process on the embedded database in `dataDir()` (never the PostgreSQL of
 * DATABASE_URL); never throws on a non-zero exit, so tests can assert the code and the output.
 */
export function gridflexIn(dataDir: () => string): (...args: string[]) => Promise<CliResult> {
  return async (...args) => {
    try {
      const r = await run(process.execPath, [BIN, '--data-dir', dataDir(), ...args], { env: { ...process.env, DATABASE_URL: '' }, maxBuffer: 64 * 1024 * 1024 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as CliResult;
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
}
