/**
 * Runs every benchmark file (`bench/*.bench.ts`) in its own process, one after the other, so that one
 * part's warm-up or memory does not colour another's figures. Each file prints one JSON line per figure:
 * {"name": ..., "value": ..., "unit": ...}. Benchmarks never fail on a time.
 * `npm run bench -- store` runs only the files whose name contains "store".
 */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();
let failed = 0;
for (const file of files) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${file} exited with ${r.status}`);
  }
}
process.exitCode = failed ? 1 : 0;
