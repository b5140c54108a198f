import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1');

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'expected a whole number' })
    .int({ error: 'expected a whole number' })
    .min(min, { error: `expected at least ${min}` })
    .max(max, { error: `expected at most ${max}` });

const csv = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

/** proxy-addr's names for address ranges, accepted in TRUST_PROXY lists. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrCidr(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which connecting peers are proxies whose X-Forwarded-For is believed: none (`false`), the
 * nearest N hops, or the listed addresses and CIDR ranges. `true` (every peer) is refused: a client
 * talking to the app directly could then write any address it likes into the header.
 */
const trustProxy = z
  .string()
  .transform((value, ctx): false | number | string[] => {
    const text = value.trim();
    if (text === 'false' || text === '0') return false;
    if (/^\d+$/.test(text)) return Number(text);
    if (text === 'true') {
      ctx.addIssue({
        code: 'custom',
        message:
          'true is refused: it would take the client address from any X-Forwarded-For a client writes. Give the number of ' +
          'proxies in front of the app (e.g. 1) or their addresses/CIDR ranges (e.g. 10.0.0.0/8,loopback)',
      });
      return z.NEVER;
    }
    const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
    const bad = entries.filter((entry) => !isAddressOrCidr(entry));
    if (entries.length === 0 || bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected false, a hop count or a comma-separated list of proxy addresses/CIDR ranges (not ${bad.join(', ') || 'empty'})`,
      });
      return z.NEVER;
    }
    return entries;
  });

/**
 * Every environment variable Emporium reads, with its default. `.env.example` and the README's
 * configuration table describe the same list.
 */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: int(0, 65535).default(3000),
    TRUST_PROXY: trustProxy.default(false),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    DATABASE_URL: z
      .url({ protocol: /^(mysql|mariadb)$/, error: 'expected a mysql:// or mariadb:// URL' })
      .optional(),
    DATABASE_POOL_SIZE: int(1, 500).default(10),
    DATABASE_SQLITE_PATH: z.string().min(1).default('data/emporium.sqlite'),
    DATABASE_MIGRATIONS_RUN: bool.default(true),
    DATABASE_SLOW_QUERY_MS: int(1, 600_000).default(500),
    DATABASE_TRANSACTION_RETRIES: int(0, 10).default(3),
    DATABASE_LOCK_TIMEOUT_SECONDS: int(1, 3600).default(10),
    DATABASE_STARTUP_TIMEOUT_SECONDS: int(1, 3600).default(60),

    JWT_SECRET: z.string().min(32, { error: 'expected at least 32 characters' }).optional(),
    JWT_ISSUER: z.string().min(1).default('emporium'),
    JWT_ACCESS_TTL_SECONDS: int(30, 86_400).default(900),
    REFRESH_TOKEN_TTL_DAYS: int(1, 365).default(30),
    ADMIN_EMAIL: z.email({ error: 'expected an email address' }).optional(),
    ADMIN_PASSWORD: z.string().min(12, { error: 'expected at least 12 characters' }).optional(),

    CORS_ORIGINS: csv.default([]),
    BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
    REQUEST_TIMEOUT_MS: int(100, 600_000).default(30_000),
    SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
    THROTTLE_TTL_SECONDS: int(1, 86_400).default(60),
    THROTTLE_LIMIT: int(1, 1_000_000).default(600),
    AUTH_THROTTLE_LIMIT: int(1, 1_000_000).default(20),
    THROTTLE_ACCOUNT_LIMIT: int(1, 1_000_000).default(600),
    LOGIN_DELAY_AFTER_FAILURES: int(1, 1000).default(3),
    LOGIN_LOCK_AFTER_FAILURES: int(1, 1000).default(10),
    LOGIN_ACCOUNT_LOCK_AFTER_FAILURES: int(1, 100_000).default(100),
    LOGIN_LOCK_SECONDS: int(1, 86_400).default(900),
    LOGIN_FAILURE_WINDOW_SECONDS: int(60, 30 * 86_400).default(3600),
    DOCS_ENABLED: bool.optional(),

    REDIS_URL: z
      .url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' })
      .optional(),
    REDIS_KEY_PREFIX: z.string().min(1).max(100).default('emporium:'),
    REDIS_COMMAND_TIMEOUT_MS: int(50, 60_000).default(500),
    CACHE_TTL_SECONDS: int(1, 86_400).default(60),
    CACHE_MAX_ENTRIES: int(1, 10_000_000).default(10_000),

    METRICS_TOKEN: z.string().min(16, { error: 'expected at least 16 characters' }).optional(),
    HEALTH_DB_TIMEOUT_MS: int(50, 60_000).default(1500),
    HEALTH_HEAP_LIMIT_MB: int(16, 65_536).default(1024),
    HEALTH_DISK_THRESHOLD: z.coerce
      .number({ error: 'expected a fraction between 0 and 1' })
      .gt(0, { error: 'expected a fraction between 0 and 1' })
      .lte(1, { error: 'expected a fraction between 0 and 1' })
      .default(0.95),

    STORAGE_DRIVER: z.enum(['local', 's3'], { error: 'expected local or s3' }).default('local'),
    STORAGE_LOCAL_DIR: z.string().min(1).default('data/uploads'),
    STORAGE_PUBLIC_BASE_URL: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)' })
      .optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    S3_FORCE_PATH_STYLE: bool.default(false),
    IMAGE_MAX_BYTES: int(1024, 100 * 1024 * 1024).default(5 * 1024 * 1024),
    IMAGE_MAX_PIXELS: int(1, 1_000_000_000).default(40_000_000),

    /** Unset: true outside production. Seeds a small demo catalog at start-up while the catalog is empty. */
    SEED_DEMO_DATA: bool.optional(),

    CART_MAX_LINE_QUANTITY: int(1, 1_000_000).default(20),
    CART_MAX_LINES: int(1, 10_000).default(100),
    CART_GUEST_TTL_DAYS: int(1, 365).default(30),
    CHECKOUT_RESERVATION_TTL_SECONDS: int(1, 7 * 86_400).default(900),
    /** Unset: 300 s, or CHECKOUT_RESERVATION_TTL_SECONDS when that is shorter. */
    CHECKOUT_INITIAL_RESERVATION_SECONDS: int(1, 7 * 86_400).optional(),
    CHECKOUT_MAX_UNPAID_ORDERS_PER_ADDRESS: int(1, 1_000_000).default(10),
    CHECKOUT_MAX_UNPAID_ORDERS_PER_EMAIL: int(1, 1_000_000).default(3),
    CHECKOUT_MAX_UNPAID_ORDERS_PER_CUSTOMER: int(1, 1_000_000).default(3),
    CHECKOUT_MAX_RESERVED_UNITS_PER_ADDRESS: int(1, 100_000_000).default(200),
    CHECKOUT_MAX_RESERVED_UNITS_PER_EMAIL: int(1, 100_000_000).default(60),
    CHECKOUT_MAX_RESERVED_UNITS_PER_CUSTOMER: int(1, 100_000_000).default(60),
    ORDER_SWEEP_INTERVAL_MS: int(0, 86_400_000).default(30_000),
    PRICES_INCLUDE_TAX: bool.default(false),
    PURGE_INTERVAL_MS: int(0, 86_400_000).default(600_000),
    PURGE_BATCH_SIZE: int(1, 100_000).default(1000),
    IDEMPOTENCY_TTL_HOURS: int(1, 24 * 30).default(24),
    IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: int(1, 3600).default(10),
    /** Unset: `test` outside production, none in production. */
    PAYMENTS_PROVIDERS: csv.optional(),
    PAYMENTS_TEST_PROVIDER_IN_PRODUCTION: bool.default(false),
    PAYMENTS_ATTEMPT_TIMEOUT_SECONDS: int(2, 3600).default(10),
    PAYMENTS_TEST_WEBHOOK_SECRET: z.string().min(16, { error: 'expected at least 16 characters' }).optional(),
    PAYMENTS_WEBHOOK_TOLERANCE_SECONDS: int(1, 86_400).default(300),
    PAYMENTS_TEST_FAILURE_DELAY_MS: int(0, 60_000).default(2000),
  })
  .superRefine((env, ctx) => {
    if (env.STORAGE_DRIVER === 's3') {
      for (const name of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
        if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'required when STORAGE_DRIVER=s3' });
      }
    }
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'required in production' });
    }
    if (env.CHECKOUT_INITIAL_RESERVATION_SECONDS !== undefined && env.CHECKOUT_INITIAL_RESERVATION_SECONDS > env.CHECKOUT_RESERVATION_TTL_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['CHECKOUT_INITIAL_RESERVATION_SECONDS'],
        message: `expected at most CHECKOUT_RESERVATION_TTL_SECONDS (${env.CHECKOUT_RESERVATION_TTL_SECONDS})`,
      });
    }
    for (const name of paymentProvidersOf(env)) {
      if (!PAYMENT_PROVIDER_NAMES.includes(name)) {
        ctx.addIssue({ code: 'custom', path: ['PAYMENTS_PROVIDERS'], message: `unknown provider ${name}; known: ${PAYMENT_PROVIDER_NAMES.join(', ')}` });
      }
    }
    if (env.NODE_ENV === 'production' && paymentProvidersOf(env).includes('test') && !env.PAYMENTS_TEST_PROVIDER_IN_PRODUCTION) {
      ctx.addIssue({
        code: 'custom',
        path: ['PAYMENTS_PROVIDERS'],
        message:
          'the test provider marks orders paid without taking money (tok_success), so it is refused in production; ' +
          'remove it, or set PAYMENTS_TEST_PROVIDER_IN_PRODUCTION=true if this really is a test deployment',
      });
    }
    if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL'],
        message: 'ADMIN_EMAIL and ADMIN_PASSWORD go together',
      });
    }
  });

export type Env = z.input<typeof envSchema>;

/** The payment providers this build contains; PAYMENTS_PROVIDERS enables some of them. */
export const PAYMENT_PROVIDER_NAMES: readonly string[] = ['test'];

type ParsedEnv = Pick<z.output<typeof envSchema>, 'PAYMENTS_PROVIDERS' | 'NODE_ENV'>;

/** PAYMENTS_PROVIDERS, or its default: the test provider outside production, nothing in production. */
function paymentProvidersOf(env: ParsedEnv): string[] {
  return env.PAYMENTS_PROVIDERS ?? (env.NODE_ENV === 'production' ? [] : ['test']);
}

function toAppConfig(env: z.output<typeof envSchema>) {
  return {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    http: {
      host: env.HOST,
      port: env.PORT,
      trustProxy: env.TRUST_PROXY,
      corsOrigins: env.CORS_ORIGINS,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      /** Serve the Swagger UI and the document at /docs (on by default outside production). */
      docsEnabled: env.DOCS_ENABLED ?? env.NODE_ENV !== 'production',
    },
    log: { level: env.LOG_LEVEL },
    database: {
      url: env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      sqlitePath: env.DATABASE_SQLITE_PATH,
      migrationsRun: env.DATABASE_MIGRATIONS_RUN,
      slowQueryMs: env.DATABASE_SLOW_QUERY_MS,
      transactionRetries: env.DATABASE_TRANSACTION_RETRIES,
      lockTimeoutSeconds: env.DATABASE_LOCK_TIMEOUT_SECONDS,
      /** How long start-up waits for the database to answer, and for another instance's migrations. */
      startupTimeoutSeconds: env.DATABASE_STARTUP_TIMEOUT_SECONDS,
    },
    auth: {
      /** Outside production it may be left unset: then a random secret per boot, and tokens die with the process. */
      jwtSecret: env.JWT_SECRET ?? randomBytes(32).toString('base64url'),
      jwtSecretIsEphemeral: !env.JWT_SECRET,
      jwtIssuer: env.JWT_ISSUER,
      accessTtlSeconds: env.JWT_ACCESS_TTL_SECONDS,
      refreshTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
      admin: env.ADMIN_EMAIL && env.ADMIN_PASSWORD ? { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD } : undefined,
    },
    throttle: {
      ttlSeconds: env.THROTTLE_TTL_SECONDS,
      limit: env.THROTTLE_LIMIT,
      authLimit: env.AUTH_THROTTLE_LIMIT,
      accountLimit: env.THROTTLE_ACCOUNT_LIMIT,
    },
    /** Failed sign-ins: counted per account and address pair, and per account (see LoginAttempts). */
    login: {
      delayAfterFailures: env.LOGIN_DELAY_AFTER_FAILURES,
      lockAfterFailures: env.LOGIN_LOCK_AFTER_FAILURES,
      accountLockAfterFailures: env.LOGIN_ACCOUNT_LOCK_AFTER_FAILURES,
      lockSeconds: env.LOGIN_LOCK_SECONDS,
      failureWindowSeconds: env.LOGIN_FAILURE_WINDOW_SECONDS,
    },
    /** Unset url: no Redis; cache and rate limits stay in this process. */
    redis: { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX, commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS },
    cache: { ttlSeconds: env.CACHE_TTL_SECONDS, maxEntries: env.CACHE_MAX_ENTRIES },
    metrics: { token: env.METRICS_TOKEN },
    health: {
      dbTimeoutMs: env.HEALTH_DB_TIMEOUT_MS,
      heapLimitBytes: env.HEALTH_HEAP_LIMIT_MB * 1024 * 1024,
      diskThreshold: env.HEALTH_DISK_THRESHOLD,
    },
    storage: {
      driver: env.STORAGE_DRIVER,
      localDir: env.STORAGE_LOCAL_DIR,
      /** Where stored files are served from (a CDN or the bucket's website), without a trailing slash. */
      publicBaseUrl: env.STORAGE_PUBLIC_BASE_URL?.replace(/\/+$/, ''),
      s3: {
        bucket: env.S3_BUCKET ?? '',
        region: env.S3_REGION,
        endpoint: env.S3_ENDPOINT,
        accessKeyId: env.S3_ACCESS_KEY_ID ?? '',
        secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? '',
        forcePathStyle: env.S3_FORCE_PATH_STYLE,
      },
    },
    images: {
      maxBytes: env.IMAGE_MAX_BYTES,
      maxPixels: env.IMAGE_MAX_PIXELS,
    },
    /** Seed a demo catalog at start-up when there are no products yet (never in production unless asked). */
    seedDemoData: env.SEED_DEMO_DATA ?? env.NODE_ENV !== 'production',
    carts: {
      maxLineQuantity: env.CART_MAX_LINE_QUANTITY,
      maxLines: env.CART_MAX_LINES,
      guestTtlDays: env.CART_GUEST_TTL_DAYS,
    },
    checkout: {
      reservationTtlSeconds: env.CHECKOUT_RESERVATION_TTL_SECONDS,
      /** How long a new order holds its stock until a payment is attempted, which extends it to reservationTtlSeconds. */
      initialReservationSeconds: env.CHECKOUT_INITIAL_RESERVATION_SECONDS ?? Math.min(300, env.CHECKOUT_RESERVATION_TTL_SECONDS),
      /** Caps on what unpaid orders may hold at once, per client address, per email and per customer. */
      unpaidLimits: {
        address: { orders: env.CHECKOUT_MAX_UNPAID_ORDERS_PER_ADDRESS, units: env.CHECKOUT_MAX_RESERVED_UNITS_PER_ADDRESS },
        email: { orders: env.CHECKOUT_MAX_UNPAID_ORDERS_PER_EMAIL, units: env.CHECKOUT_MAX_RESERVED_UNITS_PER_EMAIL },
        customer: { orders: env.CHECKOUT_MAX_UNPAID_ORDERS_PER_CUSTOMER, units: env.CHECKOUT_MAX_RESERVED_UNITS_PER_CUSTOMER },
      },
      /** 0 turns the sweeper off in this process (another instance may run it). */
      sweepIntervalMs: env.ORDER_SWEEP_INTERVAL_MS,
      /** true: catalog prices are gross and tax is the part they contain; false: tax is added on top. */
      pricesIncludeTax: env.PRICES_INCLUDE_TAX,
    },
    housekeeping: {
      /** How often the purges run (one instance per tick); 0: never in this process. */
      purgeIntervalMs: env.PURGE_INTERVAL_MS,
      purgeBatchSize: env.PURGE_BATCH_SIZE,
    },
    idempotency: {
      ttlHours: env.IDEMPOTENCY_TTL_HOURS,
      /** A claim older than this whose request never finished (a crashed process) may be taken over. */
      lockTimeoutSeconds: env.IDEMPOTENCY_LOCK_TIMEOUT_SECONDS,
    },
    payments: {
      /** The enabled providers, by name. */
      providers: paymentProvidersOf(env),
      /** A payment attempt whose process stopped beating for this long (it died) no longer blocks another. */
      attemptTimeoutSeconds: env.PAYMENTS_ATTEMPT_TIMEOUT_SECONDS,
      /** Unset: a random secret per boot, so set it when several instances receive webhooks. */
      testWebhookSecret: env.PAYMENTS_TEST_WEBHOOK_SECRET ?? randomBytes(32).toString('base64url'),
      webhookToleranceSeconds: env.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS,
      testFailureDelayMs: env.PAYMENTS_TEST_FAILURE_DELAY_MS,
    },
  };
}

/**
 * The validated, typed configuration. It is also the injection token: services ask for
 * `AppConfig` in their constructor and never read `process.env`.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class AppConfig {}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface AppConfig extends ReturnType<typeof toAppConfig> {}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates raw variables; throws a ConfigError naming every bad variable and what it expects. */
export function loadConfig(raw: Record<string, string | undefined>): AppConfig {
  const blankAsUnset = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(blankAsUnset);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  return Object.freeze(toAppConfig(parsed.data));
}

/** Adds the variables of `.env`, when present, to the process environment; real ones win. */
export function readEnvFile(envFile = '.env'): void {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
}

/** Reads `.env`, then validates the process environment. */
export function loadConfigFromProcess(): AppConfig {
  readEnvFile();
  return loadConfig(process.env);
}
