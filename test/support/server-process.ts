import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The built server (dist/, made by test/global-setup.ts) as a process of its own, for what only a
 * real process shows: SIGKILL, SIGTERM, start-up against an absent database, several instances.
 * Its stdout and stderr are kept for assertions.
 */
export class ServerProcess {
  output = '';
  readonly base: string;
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> | undefined;

  constructor(
    readonly port: number,
    private readonly env: Record<string, string | undefined>,
  ) {
    this.base = `http://127.0.0.1:${port}`;
  }

  /** Starts the process (does not wait for it to listen). */
  spawn(): void {
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(this.port), LOG_LEVEL: 'info', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exit = once(child, 'exit').then(([code]) => code as number | null);
    this.child = child;
  }

  /** Spawns and waits until /health/live answers. */
  async start(timeoutMs = 60_000): Promise<void> {
    this.spawn();
    await this.ready(timeoutMs);
  }

  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        if ((await fetch(`${this.base}/health/live`)).ok) return;
      } catch {
        // not listening yet
      }
      if (this.child?.exitCode !== null) throw new Error(`the server exited (${this.child?.exitCode}):\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`the server did not answer within ${timeoutMs} ms:\n${this.output}`);
      await sleep(50);
    }
  }

  /** Resolves with the exit code once the process has ended. */
  exited(): Promise<number | null> {
    return this.exit ?? Promise.resolve(null);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill(signal);
    return this.exited();
  }

  /** A request with a JSON body; the parsed answer. */
  async call(method: string, path: string, options: { token?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<{ status: number; headers: Headers; body: any }> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(this.base + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
  }
}
