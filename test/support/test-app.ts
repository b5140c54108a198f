import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { expect } from 'vitest';
import { createApp, CreateAppOptions } from '../../src/app';
import { AppConfig, Env, loadConfig } from '../../src/config/app-config';
import { buildOpenApiDocument } from '../../src/openapi/openapi';
import { OpenApiResponseValidator } from './openapi-validator';

/** Set TEST_DATABASE_URL=mysql://root@127.0.0.1:3306 to run the suite on MySQL/MariaDB instead of SQLite. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
export const onMysql = Boolean(TEST_DATABASE_URL);

export interface TestDatabase {
  env: Partial<Record<keyof Env, string>>;
  drop(): Promise<void>;
}

/** A database of its own for one test file: a temporary SQLite file, or a new MySQL schema. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_DATABASE_URL) {
    const name = `emporium_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const server = TEST_DATABASE_URL.replace(/\/[^/]*$/, (tail) => (tail.includes('@') || tail.includes(':') ? tail : ''));
    const admin = await createConnection({ uri: server });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
    return {
      env: { DATABASE_URL: `${server.replace(/\/$/, '')}/${name}` },
      drop: async () => {
        const connection = await createConnection({ uri: server });
        await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await connection.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'emporium-test-'));
  return {
    env: { DATABASE_SQLITE_PATH: join(dir, 'emporium.sqlite') },
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

export type TestEnv = Partial<Record<keyof Env, string>>;

/** The METRICS_TOKEN of test apps: it reads /metrics and readiness details. */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789abcdef';

/**
 * Defaults for tests: quiet logs, a fixed secret, and abuse limits (rate limits, sign-in lockout,
 * unpaid-order caps) high enough not to interfere; the tests of those limits set them low.
 */
export function testConfig(database: TestDatabase, env: TestEnv = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-000',
    THROTTLE_LIMIT: '1000000',
    AUTH_THROTTLE_LIMIT: '1000000',
    THROTTLE_ACCOUNT_LIMIT: '1000000',
    LOGIN_DELAY_AFTER_FAILURES: '1000',
    LOGIN_LOCK_AFTER_FAILURES: '1000',
    LOGIN_ACCOUNT_LOCK_AFTER_FAILURES: '100000',
    CHECKOUT_MAX_UNPAID_ORDERS_PER_ADDRESS: '1000000',
    CHECKOUT_MAX_UNPAID_ORDERS_PER_EMAIL: '1000000',
    CHECKOUT_MAX_UNPAID_ORDERS_PER_CUSTOMER: '1000000',
    CHECKOUT_MAX_RESERVED_UNITS_PER_ADDRESS: '100000000',
    CHECKOUT_MAX_RESERVED_UNITS_PER_EMAIL: '100000000',
    CHECKOUT_MAX_RESERVED_UNITS_PER_CUSTOMER: '100000000',
    // Tests build their own catalog; the quick-start demo seed is tested on purpose only.
    SEED_DEMO_DATA: 'false',
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    ...database.env,
    ...env,
  });
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is, without JSON encoding. */
  rawBody?: string | Buffer;
  token?: string;
  headers?: Record<string, string>;
  /** Sent as multipart/form-data (fetch sets the boundary). */
  formData?: FormData;
}

export class TestApp {
  private validator?: OpenApiResponseValidator;

  constructor(
    readonly app: NestFastifyApplication,
    readonly config: AppConfig,
    readonly baseUrl: string,
    private readonly database: TestDatabase,
  ) {}

  get<T>(token: abstract new (...args: never[]) => T): T {
    return this.app.get(token as never);
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | FormData | undefined = options.rawBody ?? options.formData;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(this.baseUrl + path, { method, headers, body });
    // Images come back as bytes (body is a Buffer); everything else as text.
    const binary = /^image\//.test(response.headers.get('content-type') ?? '');
    const bytes = binary ? Buffer.from(await response.arrayBuffer()) : undefined;
    const text = bytes ? `<${bytes.length} bytes>` : await response.text();
    let parsed: unknown = bytes ?? text;
    if (text && /json/.test(response.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    // Every answer must be one the OpenAPI document of this very app promises (test/support/openapi-validator.ts).
    this.validator ??= new OpenApiResponseValidator(buildOpenApiDocument(this.app));
    this.validator.check({ method, path, status: response.status, contentType: response.headers.get('content-type'), text,
      responseHeaders: [...response.headers.keys()],
      requestHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
    });
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  async close(): Promise<void> {
    if (this.validator && process.env.OPENAPI_VALIDATION_LOG) {
      const { validated, skipped } = this.validator;
      appendFileSync(process.env.OPENAPI_VALIDATION_LOG, `${JSON.stringify({ file: expect.getState().testPath, validated, skipped })}\n`);
    }
    await this.app.close();
    await this.database.drop();
  }
}

export interface StartTestAppOptions extends Pick<CreateAppOptions, 'logDestination'> {
  /** A database made beforehand with createTestDatabase(), for tests that change how the app reaches it. */
  database?: TestDatabase;
}

/** Boots the real application on a fresh database and a free port. */
export async function startTestApp(env: TestEnv = {}, options: StartTestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const config = testConfig(database, env);
  const app = await createApp(config, { logDestination: options.logDestination });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return new TestApp(app, config, await app.getUrl().then((url) => url.replace('[::1]', '127.0.0.1')), database);
}
