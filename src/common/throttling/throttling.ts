import { CanActivate, ExecutionContext, Inject, Injectable, Module, OnApplicationShutdown, SetMetadata } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { RedisService } from '../../redis/redis.service';
import { TooManyRequestsError } from '../problem/app-error';
import { MemoryThrottlerStorage } from './memory-throttler-storage';
import { RATE_LIMIT_STORAGE, type RateLimitStorage } from './rate-limit-storage';
import { RedisThrottlerStorage } from './redis-throttler-storage';

const AUTH_RATE_LIMIT = 'emporium:authRateLimit';
const SKIP_RATE_LIMIT = 'emporium:skipRateLimit';

/** Puts a controller or handler under the stricter `auth` budget too (sign-in, registration, refresh, passwords). */
export const AuthRateLimit = () => SetMetadata(AUTH_RATE_LIMIT, true);

/** Exempts a controller or handler from every rate limit (health probes). */
export const SkipRateLimit = () => SetMetadata(SKIP_RATE_LIMIT, true);

export const TOO_MANY_REQUESTS = 'Too many requests; wait for the number of seconds in Retry-After, then try again.';

interface RouteRule {
  skip: boolean;
  auth: boolean;
}

type Handler = ReturnType<ExecutionContext['getHandler']>;

/** The rate-limit metadata of a handler (its own marking, else its controller's), read once per handler. */
class RouteRules {
  private readonly rules = new WeakMap<Handler, RouteRule>();

  of(context: ExecutionContext): RouteRule {
    const handler = context.getHandler();
    let rule = this.rules.get(handler);
    if (!rule) {
      const marked = (key: string) => Boolean(Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, context.getClass()));
      rule = { skip: marked(SKIP_RATE_LIMIT), auth: marked(AUTH_RATE_LIMIT) };
      this.rules.set(handler, rule);
    }
    return rule;
  }
}

const routeRules = new RouteRules();

/** Counts one request against a budget, sets the X-RateLimit headers, and refuses it with 429 past the limit. */
async function charge(
  storage: RateLimitStorage,
  reply: FastifyReply,
  key: string,
  limit: number,
  windowMs: number,
  headers: { suffix: string } | 'when-tighter',
): Promise<void> {
  const record = await storage.increment(key, windowMs, limit, windowMs);
  const remaining = Math.max(0, limit - record.totalHits);
  const suffix = headers === 'when-tighter' ? '' : headers.suffix;
  const shown = Number(reply.getHeader(`x-ratelimit-remaining${suffix}`) ?? Infinity);
  if (headers !== 'when-tighter' || remaining < shown) {
    void reply.header(`x-ratelimit-limit${suffix}`, limit);
    void reply.header(`x-ratelimit-remaining${suffix}`, remaining);
    void reply.header(`x-ratelimit-reset${suffix}`, record.timeToExpire);
  }
  if (record.isBlocked) throw new TooManyRequestsError(TOO_MANY_REQUESTS, record.timeToBlockExpire);
}

/**
 * The first global guard: one budget per client address across every route (THROTTLE_LIMIT per
 * THROTTLE_TTL_SECONDS), and the stricter `auth` budget on top for routes marked AuthRateLimit.
 * It runs before authentication, so requests with bad credentials count too. The address is
 * Fastify's `request.ip`, which follows X-Forwarded-For only through the proxies TRUST_PROXY names.
 */
@Injectable()
export class AddressRateLimitGuard implements CanActivate {
  constructor(
    @Inject(RATE_LIMIT_STORAGE) private readonly storage: RateLimitStorage,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = routeRules.of(context);
    if (rule.skip) return true;
    const http = context.switchToHttp();
    const address = http.getRequest<FastifyRequest>().ip;
    const reply = http.getResponse<FastifyReply>();
    const { limit, authLimit, ttlSeconds } = this.config.throttle;
    await charge(this.storage, reply, `address:${address}`, limit, ttlSeconds * 1000, { suffix: '' });
    if (rule.auth) await charge(this.storage, reply, `auth:${address}`, authLimit, ttlSeconds * 1000, { suffix: '-auth' });
    return true;
  }
}

/**
 * The last global guard, after authentication: a signed-in caller also has one budget per account
 * (THROTTLE_ACCOUNT_LIMIT), whichever address the requests come from. The X-RateLimit headers show
 * the account's budget when it is the tighter one.
 */
@Injectable()
export class AccountRateLimitGuard implements CanActivate {
  constructor(
    @Inject(RATE_LIMIT_STORAGE) private readonly storage: RateLimitStorage,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const userId = http.getRequest<FastifyRequest>().user?.userId;
    if (!userId || routeRules.of(context).skip) return true;
    const { accountLimit, ttlSeconds } = this.config.throttle;
    await charge(this.storage, http.getResponse<FastifyReply>(), `account:${userId}`, accountLimit, ttlSeconds * 1000, 'when-tighter');
    return true;
  }
}

/** The counters' storage: in this process, or in Redis when REDIS_URL is set so every instance shares them. */
@Module({
  providers: [
    {
      provide: RATE_LIMIT_STORAGE,
      inject: [RedisService],
      useFactory: (redis: RedisService): RateLimitStorage & Partial<OnApplicationShutdown> =>
        redis.client ? new RedisThrottlerStorage(redis, redis.key('throttle', '')) : new MemoryThrottlerStorage(),
    },
    AddressRateLimitGuard,
    AccountRateLimitGuard,
  ],
  exports: [RATE_LIMIT_STORAGE, AddressRateLimitGuard, AccountRateLimitGuard],
})
export class ThrottlingModule {}
