import { describe, expect, it } from 'vitest';
import { malformedQueryParameter } from './query-encoding';

describe('malformedQueryParameter', () => {
  it.each(['/v1/products', '/v1/products?', '/v1/products?q=shirt&limit=5', '/v1/products?q=%F0%9F%98%80', '/v1/products?q=100%25', '/v1/a%20b'])(
    'passes %s',
    (url) => {
      expect(malformedQueryParameter(url)).toBeUndefined();
    },
  );

  it.each([
    ['q=%ED%A0%80', 'a lone high surrogate'],
    ['q=%ED%BF%BF', 'a lone low surrogate'],
    ['q=%FF', 'a byte that is never UTF-8'],
    ['q=%C0%AF', 'an overlong encoding'],
    ['q=%E2%82', 'a truncated sequence'],
    ['q=100%', 'a stray percent sign'],
    ['limit=5&q=%E2&sort=name', 'a sequence cut by the next parameter'],
  ])('names the parameter holding %s (%s)', (query) => {
    expect(malformedQueryParameter(`/v1/products?${query}`)).toEqual({ field: 'q', message: 'must be percent-encoded UTF-8 text' });
  });

  it('names a parameter by its decoded name, or as the query when it has none', () => {
    expect(malformedQueryParameter('/v1/products?sort+by%C3%A9=%FF')).toEqual({ field: 'sort byé', message: 'must be percent-encoded UTF-8 text' });
    expect(malformedQueryParameter('/v1/products?=%FF')).toEqual({ field: 'query', message: 'must be percent-encoded UTF-8 text' });
  });

  it('does not repeat a parameter name that does not decode', () => {
    expect(malformedQueryParameter('/v1/products?%ED%A0%80=1')).toEqual({
      field: 'query',
      message: 'has a parameter name that is not percent-encoded UTF-8 text',
    });
  });
});
