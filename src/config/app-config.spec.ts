import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config';

function configErrorOf(raw: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      isProduction: false,
      http: { host: '0.0.0.0', port: 3000, trustProxy: false, corsOrigins: [], bodyLimitBytes: 1024 * 1024, requestTimeoutMs: 30_000 },
      log: { level: 'info' },
      database: { url: undefined, sqlitePath: 'data/emporium.sqlite', poolSize: 10, transactionRetries: 3, lockTimeoutSeconds: 10 },
      throttle: { ttlSeconds: 60, limit: 600, authLimit: 20 },
      metrics: { token: undefined },
    });
    expect(config.auth.jwtSecretIsEphemeral).toBe(true);
    expect(config.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.auth.admin).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads and converts the variables it is given, treating blank ones as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      TRUST_PROXY: '1',
      CORS_ORIGINS: ' https://a.example , https://b.example,',
      DATABASE_URL: 'mysql://app:secret@db.internal:3306/emporium',
      DATABASE_LOCK_TIMEOUT_SECONDS: '5',
      HOST: '',
    });
    expect(config.http).toMatchObject({ port: 8080, trustProxy: 1, host: '0.0.0.0', corsOrigins: ['https://a.example', 'https://b.example'] });
    expect(config.database).toMatchObject({ url: 'mysql://app:secret@db.internal:3306/emporium', lockTimeoutSeconds: 5 });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT: expected a whole number'],
    [{ PORT: '70000' }, 'PORT: expected at most 65535'],
    [{ PORT: '80.5' }, 'PORT: expected a whole number'],
    [{ DATABASE_URL: 'postgres://db/emporium' }, 'DATABASE_URL: expected a mysql:// or mariadb:// URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL: expected a mysql:// or mariadb:// URL'],
    [{ REDIS_URL: 'http://cache:6379' }, 'REDIS_URL: expected a redis:// or rediss:// URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL: expected a redis:// or rediss:// URL'],
    [{ CACHE_TTL_SECONDS: '0' }, 'CACHE_TTL_SECONDS: expected at least 1'],
    [{ DATABASE_LOCK_TIMEOUT_SECONDS: '0' }, 'DATABASE_LOCK_TIMEOUT_SECONDS: expected at least 1'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY: expected false, a hop count or a comma-separated list of proxy addresses/CIDR ranges (not yes)'],
    [{ TRUST_PROXY: '10.0.0.0/33,loopback' }, 'TRUST_PROXY: expected false, a hop count or a comma-separated list of proxy addresses/CIDR ranges (not 10.0.0.0/33)'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET: expected at least 32 characters'],
  ])('rejects %j naming the variable and what it expects', (raw, problem) => {
    const error = configErrorOf(raw);
    expect(error.problems).toEqual([problem]);
    expect(error.message).toContain(problem);
  });

  it('reads the Redis and cache settings, with Redis off by default', () => {
    expect(loadConfig({})).toMatchObject({
      redis: { url: undefined, keyPrefix: 'emporium:', commandTimeoutMs: 500 },
      cache: { ttlSeconds: 60, maxEntries: 10_000 },
    });
    const config = loadConfig({ REDIS_URL: 'rediss://:secret@cache.internal:6380/2', REDIS_KEY_PREFIX: 'shop:', CACHE_TTL_SECONDS: '30' });
    expect(config.redis).toMatchObject({ url: 'rediss://:secret@cache.internal:6380/2', keyPrefix: 'shop:' });
    expect(config.cache.ttlSeconds).toBe(30);
  });

  it('names every bad variable at once', () => {
    expect(configErrorOf({ PORT: 'x', LOG_LEVEL: 'loud' }).problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT']);
  });

  it('requires JWT_SECRET in production', () => {
    expect(configErrorOf({ NODE_ENV: 'production' }).problems).toEqual(['JWT_SECRET: required in production']);
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-32-chars!!' });
    expect(config.isProduction).toBe(true);
    expect(config.auth).toMatchObject({ jwtSecret: 'a-production-secret-of-32-chars!!', jwtSecretIsEphemeral: false });
  });

  it('takes ADMIN_EMAIL and ADMIN_PASSWORD only together', () => {
    expect(configErrorOf({ ADMIN_EMAIL: 'admin@example.com' }).problems).toEqual(['ADMIN_PASSWORD: ADMIN_EMAIL and ADMIN_PASSWORD go together']);
    expect(configErrorOf({ ADMIN_PASSWORD: 'long-enough-password' }).problems).toEqual(['ADMIN_EMAIL: ADMIN_EMAIL and ADMIN_PASSWORD go together']);
    const config = loadConfig({ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'long-enough-password' });
    expect(config.auth.admin).toEqual({ email: 'admin@example.com', password: 'long-enough-password' });
  });

  it('trusts X-Forwarded-For only from a hop count or listed proxies, and refuses TRUST_PROXY=true saying why', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,loopback,::1,fd00::/8' }).http.trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'loopback',
      '::1',
      'fd00::/8',
    ]);
    const [problem] = configErrorOf({ TRUST_PROXY: 'true' }).problems;
    expect(problem).toMatch(/^TRUST_PROXY: true is refused: it would take the client address from any X-Forwarded-For a client writes/);
  });

  it('enables the test payment provider outside production only, and refuses it in production unless explicitly allowed', () => {
    const secret = 'a-production-secret-of-32-chars!!';
    expect(loadConfig({}).payments.providers).toEqual(['test']);
    expect(loadConfig({ PAYMENTS_PROVIDERS: '' }).payments.providers).toEqual(['test']);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).payments.providers).toEqual([]);
    const [problem] = configErrorOf({ NODE_ENV: 'production', JWT_SECRET: secret, PAYMENTS_PROVIDERS: 'test' }).problems;
    expect(problem).toMatch(/^PAYMENTS_PROVIDERS: the test provider marks orders paid without taking money .* PAYMENTS_TEST_PROVIDER_IN_PRODUCTION=true/);
    const allowed = loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, PAYMENTS_PROVIDERS: 'test', PAYMENTS_TEST_PROVIDER_IN_PRODUCTION: 'true' });
    expect(allowed.payments.providers).toEqual(['test']);
    expect(configErrorOf({ PAYMENTS_PROVIDERS: 'test,paypal' }).problems).toEqual(['PAYMENTS_PROVIDERS: unknown provider paypal; known: test']);
  });

  it('keeps the first reservation no longer than the full one', () => {
    expect(loadConfig({}).checkout).toMatchObject({ reservationTtlSeconds: 900, initialReservationSeconds: 300 });
    expect(loadConfig({ CHECKOUT_RESERVATION_TTL_SECONDS: '120' }).checkout.initialReservationSeconds).toBe(120);
    expect(configErrorOf({ CHECKOUT_RESERVATION_TTL_SECONDS: '120', CHECKOUT_INITIAL_RESERVATION_SECONDS: '300' }).problems).toEqual([
      'CHECKOUT_INITIAL_RESERVATION_SECONDS: expected at most CHECKOUT_RESERVATION_TTL_SECONDS (120)',
    ]);
  });

  it('serves the API docs by default outside production only (DOCS_ENABLED)', () => {
    const secret = 'a-production-secret-of-32-chars!!';
    expect(loadConfig({}).http.docsEnabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).http.docsEnabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, DOCS_ENABLED: 'true' }).http.docsEnabled).toBe(true);
  });

  it('seeds demo data by default outside production only (SEED_DEMO_DATA)', () => {
    const secret = 'a-production-secret-of-32-chars!!';
    expect(loadConfig({}).seedDemoData).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).seedDemoData).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, SEED_DEMO_DATA: 'true' }).seedDemoData).toBe(true);
    expect(loadConfig({ SEED_DEMO_DATA: 'false' }).seedDemoData).toBe(false);
    expect(configErrorOf({ SEED_DEMO_DATA: 'maybe' }).problems).toEqual(['SEED_DEMO_DATA: expected true or false']);
  });
});
