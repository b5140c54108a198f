import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { from, lastValueFrom, Observable } from 'rxjs';
import { CacheService } from '../cache/cache.service';
import { MetricsService } from '../observability/metrics.service';

/**
 * Cache tags of catalog reads. Every entry carries `catalog` (category writes end them all: paths,
 * filters and products' category ids may change); product lists and slug lookups carry
 * `catalog:products` (any product write ends them); a product read by id carries `product:<id>`.
 */
export const CatalogTags = {
  all: 'catalog',
  products: 'catalog:products',
  categories: 'catalog:categories',
  product: (id: string) => `product:${id}`,
  /** What a write to product `id` must invalidate. */
  productWrite: (id: string) => ['catalog:products', `product:${id}`],
  /** What a category write must invalidate. */
  categoryWrite: () => ['catalog'],
} as const;

const CACHE_TAGS = Symbol('catalog-cache-tags');
type TagsOf = (params: Record<string, string>) => string[];

/** Response headers stored with a cached body and sent again on a hit. */
const KEPT_HEADERS = ['etag', 'link', 'vary'] as const;
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * A stored answer: the body already serialised, so a hit neither rebuilds the object (from the
 * store's JSON) nor serialises it again; it goes out as it came in.
 */
interface CachedAnswer {
  json: string;
  headers: Partial<Record<(typeof KEPT_HEADERS)[number], string>>;
}

/** Marks a public catalog read as cacheable for anonymous callers, under these tags. */
export function CachedCatalogRead(tags: TagsOf) {
  return applyDecorators(SetMetadata(CACHE_TAGS, tags), UseInterceptors(CatalogCacheInterceptor));
}

/**
 * Whether the handler reads query parameters (has an @Query() argument). One that does not is
 * cached by path alone, so junk query strings cannot each fill a cache entry of their own.
 */
function readsQuery(context: ExecutionContext): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {}) as Record<string, unknown>;
  return Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.QUERY));
}

/** What the interceptor needs to know of a handler, read from its metadata once. */
interface HandlerPlan {
  tagsOf: TagsOf | undefined;
  keyedByQuery: boolean;
}

/** The cache key of a request: its path, plus its query parameters sorted when the handler reads them. */
function cacheKey(rawUrl: string, keyedByQuery: boolean): string {
  const mark = rawUrl.indexOf('?');
  if (mark === -1 || !keyedByQuery) return `catalog:http:${mark === -1 ? rawUrl : rawUrl.slice(0, mark)}`;
  const params = new URLSearchParams(rawUrl.slice(mark + 1));
  params.sort();
  return `catalog:http:${rawUrl.slice(0, mark)}?${params.toString()}`;
}

/** Adds the stored Vary values to what others (CORS) put there already. */
function mergeVary(reply: FastifyReply, stored: string): void {
  const current = reply.getHeader('vary');
  const values = typeof current === 'string' && current ? current.split(',').map((v) => v.trim()) : [];
  for (const value of stored.split(',').map((v) => v.trim())) if (value && !values.includes(value)) values.push(value);
  void reply.header('vary', values.join(', '));
}

function ifNoneMatchHits(header: string | undefined, etag: string | undefined): boolean {
  if (!header || !etag) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`;
  });
}

/**
 * Serves public catalog reads of ANONYMOUS callers from CacheService (shared through Redis when
 * configured). A request with an Authorization header bypasses it: staff see drafts, and a bad
 * token must still be 401. The key is the path plus the query parameters sorted (the path alone for
 * handlers without query parameters); only 200 answers are stored, serialised, with their ETag and
 * Link headers, so If-None-Match still answers 304 from a cached entry. get() then set() with the
 * stamp from before the load keeps a slow reader from storing an old value after a write's
 * invalidation (see CacheService). Writers invalidate CatalogTags.
 */
@Injectable()
export class CatalogCacheInterceptor implements NestInterceptor {
  private readonly lookups: Counter<'cache' | 'result'>;
  private readonly plans = new WeakMap<object, HandlerPlan>();

  constructor(
    private readonly cache: CacheService,
    private readonly reflector: Reflector,
    metrics: MetricsService,
  ) {
    const existing = metrics.registry.getSingleMetric('cache_lookups_total') as Counter<'cache' | 'result'> | undefined;
    this.lookups =
      existing ??
      new Counter({
        name: 'cache_lookups_total',
        help: 'Response cache lookups by cache and result (hit, miss, bypass)',
        labelNames: ['cache', 'result'] as const,
        registers: [metrics.registry],
      });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const handler = context.getHandler();
    let plan = this.plans.get(handler);
    if (!plan) {
      plan = { tagsOf: this.reflector.get<TagsOf | undefined>(CACHE_TAGS, handler), keyedByQuery: readsQuery(context) };
      this.plans.set(handler, plan);
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    if (!plan.tagsOf || request.method !== 'GET' || request.headers.authorization !== undefined) {
      this.lookups.inc({ cache: 'catalog', result: 'bypass' });
      return next.handle();
    }
    const key = cacheKey(request.url, plan.keyedByQuery);
    return from(this.serve(request, reply, next, key, plan.tagsOf(request.params as Record<string, string>)));
  }

  private async serve(request: FastifyRequest, reply: FastifyReply, next: CallHandler, key: string, tags: string[]): Promise<unknown> {
    const lookup = await this.cache.get<CachedAnswer>(key, tags);
    // typeof: an entry of an older shape (a deploy ago, in a shared Redis) is a miss and gets replaced.
    if (lookup.hit && typeof lookup.value?.json === 'string') {
      this.lookups.inc({ cache: 'catalog', result: 'hit' });
      const { json, headers } = lookup.value;
      if (headers.etag !== undefined) void reply.header('etag', headers.etag);
      if (headers.link !== undefined) void reply.header('link', headers.link);
      if (headers.vary) mergeVary(reply, headers.vary);
      if (ifNoneMatchHits(request.headers['if-none-match'], headers.etag)) {
        void reply.status(304);
        return undefined;
      }
      void reply.header('content-type', JSON_CONTENT_TYPE);
      return json;
    }
    this.lookups.inc({ cache: 'catalog', result: 'miss' });
    const body: unknown = await lastValueFrom(next.handle() as Observable<unknown>, { defaultValue: undefined });
    if (reply.statusCode === 200 && body !== undefined) {
      const headers: CachedAnswer['headers'] = {};
      for (const name of KEPT_HEADERS) {
        const value = reply.getHeader(name);
        if (typeof value === 'string') headers[name] = value;
      }
      await this.cache.set(lookup.stamp, { json: JSON.stringify(body), headers } satisfies CachedAnswer);
    }
    return body;
  }
}
