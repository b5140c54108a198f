import { describe, expect, it } from 'vitest';
import { ValidationFailedException } from '../common/problem/problem';
import { Permission } from '../auth/permissions';
import { canonicalJson, idempotencyScopeOf, isReplayableStatus, requestFingerprint, sha256Hex, validIdempotencyKey } from './idempotency.rules';

describe('Idempotency-Key validation', () => {
  it('accepts 1 to 255 visible ASCII characters', () => {
    for (const key of ['a', 'x'.repeat(255), '5f0c2c8e-9a10-4c41-9d1c-0b4f6c1e7a0d', '!~{}[]"\'']) expect(validIdempotencyKey(key)).toBe(key);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['256 characters', 'x'.repeat(256)],
    ['with a space', 'a b'],
    ['with a tab', 'a\tb'],
    ['non-ASCII', 'clé'],
    ['sent twice', ['a', 'b']],
  ])('refuses a key that is %s with a validation problem naming the header', (_, header) => {
    let thrown: unknown;
    try {
      validIdempotencyKey(header);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationFailedException);
    expect((thrown as ValidationFailedException).fieldErrors).toEqual([{ field: 'Idempotency-Key', message: expect.stringContaining('Idempotency-Key') }]);
  });
});

describe('request fingerprints', () => {
  it('ignore key order at every depth but nothing else', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    const fingerprint = requestFingerprint('POST', '/v1/checkout', { cartId: 'c', email: 'e' });
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(requestFingerprint('post', '/v1/checkout', { email: 'e', cartId: 'c' })).toBe(fingerprint);
    expect(requestFingerprint('POST', '/v1/checkout', { cartId: 'c', email: 'E' })).not.toBe(fingerprint);
    expect(requestFingerprint('POST', '/v1/orders/1/payments', { cartId: 'c', email: 'e' })).not.toBe(fingerprint);
    expect(requestFingerprint('PUT', '/v1/checkout', { cartId: 'c', email: 'e' })).not.toBe(fingerprint);
    expect(requestFingerprint('POST', '/v1/checkout', [1, 2])).not.toBe(requestFingerprint('POST', '/v1/checkout', [2, 1]));
    expect(requestFingerprint('POST', '/v1/x', undefined)).toBe(requestFingerprint('POST', '/v1/x', null));
  });
});

describe('scopes', () => {
  const principal = (userId?: string) => ({ userId, roles: [], permissions: new Set<Permission>() });

  it('separate users, guest carts and anonymous callers', () => {
    expect(idempotencyScopeOf({ user: principal('u1'), headers: { 'x-cart-token': 't' } })).toBe('user:u1');
    expect(idempotencyScopeOf({ user: principal(), headers: {} })).toBe('service');
    expect(idempotencyScopeOf({ headers: { 'x-cart-token': 'secret-token' } })).toBe(`cart:${sha256Hex('secret-token')}`);
    expect(idempotencyScopeOf({ headers: {} })).toBe('anonymous');
  });

  it('record successes and client errors but not busy answers or server errors', () => {
    expect([200, 201, 204, 402, 412, 422].every(isReplayableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 429, 500, 503].some(isReplayableStatus)).toBe(false);
  });
});
