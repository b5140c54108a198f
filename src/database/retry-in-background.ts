import { setTimeout as sleep } from 'node:timers/promises';

const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 1_000;

/**
 * Runs a write until it succeeds or `giveUpAfterMs` has passed, retrying after growing pauses (0.1
 * s doubling to 1 s): for a write that must land once the database is back (releasing a claim
 * after an outage) without the request that needs it waiting. Resolves whatever happens; reports
 * the first failure and the outcome through the callbacks.
 */
export async function retryInBackground(
  write: () => Promise<void>,
  giveUpAfterMs: number,
  report: { retrying(error: unknown): void; landed(attempts: number): void; gaveUp(error: unknown): void },
): Promise<void> {
  const giveUpAt = Date.now() + giveUpAfterMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await write();
      if (attempt > 0) report.landed(attempt + 1);
      return;
    } catch (error) {
      if (Date.now() >= giveUpAt) {
        report.gaveUp(error);
        return;
      }
      if (attempt === 0) report.retrying(error);
      await sleep(Math.min(FIRST_RETRY_MS * 2 ** attempt, LONGEST_RETRY_MS));
    }
  }
}

/**
 * Calls `beat` every `intervalMs` until the returned function is called: a long-running owner
 * proving it is alive (a claim it holds is then not taken over). A failed beat is ignored; the
 * next one tries again, and an owner that misses several looks dead, as it should.
 */
export function startHeartbeat(intervalMs: number, beat: () => Promise<unknown>): () => void {
  const timer = setInterval(() => void beat().catch(() => undefined), intervalMs).unref();
  return () => clearInterval(timer);
}
