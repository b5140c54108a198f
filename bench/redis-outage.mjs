// Redis outage benchmark (`npm run bench:redis-outage`): what clients wait while Redis is gone.
//
// Starts a Redis of its own (redis-server on a free port) and Emporium in production mode (dist/)
// with REDIS_URL pointing at it, on a fresh database with 200 seeded products. Then loads, with
// autocannon from this process, an anonymous product read (rate limit and response cache both in
// Redis) and GET /v1/me with a bearer token (rate limits per address and per account), in three
// phases: Redis up, Redis killed (SIGKILL), and Redis frozen (restarted, then SIGSTOP: connections
// stay open and commands never answer). The target (issue 10): p50 in either outage within 2x of
// p50 with Redis up; exits 1 when missed. Writes bench/results/redis-outage.json.
//
// Usage: npm run bench:redis-outage [-- --db mariadb|sqlite] [--duration 10] [--connections 50]
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'mariadb' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
});
const TARGET_RATIO = 2;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

const scratch = mkdtempSync(join(tmpdir(), 'emporium-redis-outage-'));
const database = args.db === 'mariadb' ? `emporium_bench_redis_${process.pid}` : undefined;
if (database) execFileSync('mysql', ['-uroot', '-h127.0.0.1', '-e', `CREATE DATABASE ${database}`]);
const [port, redisPort] = [await freePort(), await freePort()];
const base = `http://127.0.0.1:${port}`;
const env = {
  ...process.env,
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: String(port),
  LOG_LEVEL: 'error',
  JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0001',
  REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  THROTTLE_LIMIT: '1000000',
  AUTH_THROTTLE_LIMIT: '1000000',
  THROTTLE_ACCOUNT_LIMIT: '1000000',
  SEED_DEMO_DATA: 'false',
  ...(database ? { DATABASE_URL: `mysql://root@127.0.0.1:3306/${database}` } : { DATABASE_SQLITE_PATH: join(scratch, 'bench.sqlite') }),
};

let redis;
function startRedis() {
  redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
}
async function waitFor(check, what, timeoutMs = 60_000) {
  const started = performance.now();
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not there yet
    }
    if (performance.now() - started > timeoutMs) throw new Error(`${what} not ready in ${timeoutMs} ms`);
    await sleep(50);
  }
}

startRedis();
await waitFor(() => execFileSync('redis-cli', ['-p', String(redisPort), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() === 'PONG', 'redis');
execFileSync(process.execPath, ['dist/src/catalog/cli/seed.js', '200'], { env, stdio: 'ignore' });
const server = spawn(process.execPath, ['dist/src/main.js'], { env, stdio: ['ignore', 'ignore', 'inherit'] });

async function load(path, headers = {}) {
  const result = await autocannon({ url: base + path, connections: Number(args.connections), duration: Number(args.duration), headers });
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) throw new Error(`${path}: ${failures} non-2xx answers, errors or timeouts`);
  return { requestsPerSecond: Math.round(result.requests.average), p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

try {
  await waitFor(async () => (await fetch(`${base}/health/live`)).ok, 'emporium');
  const credentials = { email: 'bench@example.com', password: 'load-test-passphrase-0001' };
  const post = (path, body) => fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await post('/v1/auth/register', credentials);
  const { accessToken } = await (await post('/v1/auth/login', credentials)).json();
  const { data: products } = await (await fetch(`${base}/v1/products?limit=1`)).json();
  const loads = {
    cachedProductRead: () => load(`/v1/products/${products[0].id}`),
    me: () => load('/v1/me', { authorization: `Bearer ${accessToken}` }),
  };
  const phase = async () => ({ cachedProductRead: await loads.cachedProductRead(), me: await loads.me() });

  await loads.cachedProductRead(); // warm-up: JIT, pool, cache filled
  const up = await phase();
  redis.kill('SIGKILL');
  const killed = await phase();
  startRedis();
  // Back in use once the circuit's probe has found it again (readiness no longer degraded).
  await waitFor(async () => (await (await fetch(`${base}/health/ready`)).json()).degraded !== true, 'emporium on the restarted redis');
  await loads.cachedProductRead();
  redis.kill('SIGSTOP');
  const frozen = await phase();
  redis.kill('SIGCONT');

  const ratios = {};
  const misses = [];
  for (const [outage, figures] of Object.entries({ killed, frozen })) {
    for (const name of Object.keys(loads)) {
      const ratio = Math.round((figures[name].p50Ms / Math.max(up[name].p50Ms, 1)) * 100) / 100;
      ratios[`${outage}.${name}`] = ratio;
      if (ratio > TARGET_RATIO) misses.push(`${outage} ${name}: p50 ${figures[name].p50Ms} ms against ${up[name].p50Ms} ms with Redis up`);
    }
  }
  const results = {
    when: new Date().toISOString(),
    node: process.version,
    database: args.db,
    connections: Number(args.connections),
    durationSeconds: Number(args.duration),
    up,
    killed,
    frozen,
    p50RatioToUp: ratios,
    target: `p50 <= ${TARGET_RATIO}x Redis up`,
    met: misses.length === 0,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/redis-outage.json', JSON.stringify(results, null, 2) + '\n');
  console.log(JSON.stringify(results, null, 2));
  if (misses.length) {
    console.error(`target missed:\n${misses.join('\n')}`);
    process.exitCode = 1;
  }
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  redis.kill('SIGCONT');
  redis.kill('SIGKILL');
  if (database) execFileSync('mysql', ['-uroot', '-h127.0.0.1', '-e', `DROP DATABASE IF EXISTS ${database}`]);
  rmSync(scratch, { recursive: true, force: true });
}
