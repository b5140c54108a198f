// Foundation figures: cold start to ready, resident memory after start, and requests a second
// for GET /health/live and GET /v1/me under autocannon (50 connections, 10 s each).
// Usage: npm run bench [-- --db sqlite|mariadb] [--duration 10] [--connections 50]
// Starts the built server (dist/) in production mode on a fresh database, loads it from this
// separate process, writes bench/results/foundation.json. Absolute figures on a shared 2-core
// machine are noise-prone; compare runs on the same machine.
import autocannon from 'autocannon';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    port: { type: 'string', default: '3199' },
  },
});
const base = `http://127.0.0.1:${args.port}`;
const scratch = mkdtempSync(join(tmpdir(), 'emporium-bench-'));
const database = args.db === 'mariadb' ? `emporium_bench_${process.pid}` : undefined;
if (database) execFileSync('mysql', ['-uroot', '-h127.0.0.1', '-e', `CREATE DATABASE ${database}`]);

const env = {
  ...process.env,
  NODE_ENV: 'production',
  PORT: args.port,
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0001',
  THROTTLE_LIMIT: '1000000',
  AUTH_THROTTLE_LIMIT: '1000000',
  THROTTLE_ACCOUNT_LIMIT: '1000000',
  ...(database ? { DATABASE_URL: `mysql://root@127.0.0.1:3306/${database}` } : { DATABASE_SQLITE_PATH: join(scratch, 'bench.sqlite') }),
};

const startedAt = performance.now();
const server = spawn(process.execPath, ['dist/src/main.js'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
server.stdout.resume();

async function waitForReady() {
  for (;;) {
    try {
      if ((await fetch(`${base}/health/live`)).ok) return performance.now() - startedAt;
    } catch {
      // not listening yet
    }
    if (performance.now() - startedAt > 60_000) throw new Error('server did not become ready in 60 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const rssMb = () => Number(readFileSync(`/proc/${server.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;

async function load(path, headers = {}) {
  const result = await autocannon({
    url: base + path,
    connections: Number(args.connections),
    duration: Number(args.duration),
    headers,
  });
  const non2xx = result.non2xx + result.errors;
  if (non2xx > 0) throw new Error(`${path}: ${non2xx} non-2xx answers or errors`);
  return { requestsPerSecond: Math.round(result.requests.average), p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

try {
  const readyMs = await waitForReady();
  const rssAfterStartMb = rssMb();
  const credentials = { email: 'bench@example.com', password: 'load-test-passphrase-0001' };
  const post = (path, body) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await post('/v1/auth/register', credentials);
  const { accessToken } = await (await post('/v1/auth/login', credentials)).json();

  await load('/health/live'); // warm-up
  const live = await load('/health/live');
  const me = await load('/v1/me', { authorization: `Bearer ${accessToken}` });
  const results = {
    when: new Date().toISOString(),
    node: process.version,
    database: args.db,
    connections: Number(args.connections),
    durationSeconds: Number(args.duration),
    coldStartToReadyMs: Math.round(readyMs),
    rssAfterStartMb: Math.round(rssAfterStartMb),
    healthLive: live,
    me,
    rssAfterLoadMb: Math.round(rssMb()),
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/foundation.json', JSON.stringify(results, null, 2) + '\n');
  console.log(JSON.stringify(results, null, 2));
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  if (database) execFileSync('mysql', ['-uroot', '-h127.0.0.1', '-e', `DROP DATABASE IF EXISTS ${database}`]);
  rmSync(scratch, { recursive: true, force: true });
}
