import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ValidationFailedException } from '../common/problem/problem';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** 1 to 255 visible ASCII characters (no spaces or control characters). */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7E]{1,255}$';
const KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

/** The Idempotency-Key header, validated; 400 naming the header when it is missing or malformed. */
export function validIdempotencyKey(header: string | string[] | undefined): string {
  const message =
    header === undefined
      ? `${IDEMPOTENCY_KEY_HEADER} header is required on this operation`
      : `${IDEMPOTENCY_KEY_HEADER} must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters`;
  if (typeof header !== 'string' || !KEY.test(header)) {
    throw new ValidationFailedException([{ field: IDEMPOTENCY_KEY_HEADER, message }]);
  }
  return header;
}

/** JSON with object keys sorted at every depth, so that two equal bodies hash the same whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** SHA-256 (hex) over the method, the URL path (with its parameters, without the query) and the canonical body. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()}\n${path}\n${canonicalJson(body)}`).digest('hex');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Whose key space a request uses: a signed-in user's own, a guest cart's (by the hash of its
 * X-Cart-Token), or the shared anonymous one. Two callers never see each other's keys.
 */
export function idempotencyScopeOf(request: Pick<FastifyRequest, 'user' | 'headers'>): string {
  const principal = request.user;
  if (principal) return principal.userId ? `user:${principal.userId}` : 'service';
  const cartToken = request.headers['x-cart-token'];
  if (typeof cartToken === 'string' && cartToken !== '') return `cart:${sha256Hex(cartToken)}`;
  return 'anonymous';
}

/**
 * Answers that are not recorded: refusals before any work was done (invalid input, no or bad
 * credentials, no permission, nothing there), "busy" ones a retry may resolve, and server errors.
 */
export const UNRECORDED_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 409, 429]);

/** The answer statuses that are recorded and replayed: successes, and client errors of work that ran (402, 412, 422...). */
export function isReplayableStatus(status: number): boolean {
  return status < 500 && !UNRECORDED_STATUSES.has(status);
}
