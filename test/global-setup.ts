import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The latest modification time of a file under `dir`. */
function newestSource(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .reduce((newest, entry) => Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs), 0);
}

/**
 * Once per run, before any test file: builds dist/ when a source is newer, for the tests that run
 * the real server process (test/support/server-process.ts). Building here, not in each file,
 * keeps parallel files from writing dist/ at the same time.
 */
export default function buildServerOnce(): void {
  const built = 'dist/src/main.js';
  const newest = Math.max(newestSource('src'), newestSource('migrations'));
  if (existsSync(built) && newest <= statSync(built).mtimeMs) return;
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  } catch {
    // The tests of the server process then fail on their own; every other test can still run.
    console.error('\nnpm run build failed: the tests that start dist/src/main.js will fail\n');
  }
}
