import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { CART_TOKEN_HEADER, CART_TOKEN_MAX_LENGTH } from './carts.openapi';

/** Who asks for a cart: a signed-in customer (userId) and/or a guest holding a cart token. */
export interface CartAccess {
  userId?: string;
  cartToken?: string;
}

/** SHA-256 (hex) of a guest cart token: what carts (and orders) store instead of the token. */
export function hashCartToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The X-Cart-Token header, when sent. */
export function cartTokenOf(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const token = request.headers[CART_TOKEN_HEADER];
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** The caller's cart credentials: the principal's user id and the X-Cart-Token header, when present. */
export function cartAccessOf(request: FastifyRequest): CartAccess {
  const access: CartAccess = {};
  if (request.user?.userId) access.userId = request.user.userId;
  const token = cartTokenOf(request);
  if (token) access.cartToken = token;
  return access;
}

/** Whether `token` is the one whose hash is stored, compared in constant time. */
export function cartTokenMatches(token: string | undefined, storedHash: string | null): boolean {
  if (!token || !storedHash || token.length > CART_TOKEN_MAX_LENGTH) return false;
  const presented = Buffer.from(hashCartToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
