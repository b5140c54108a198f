import { describe, expect, it } from 'vitest';
import { JSON_LIMITS, JsonLimits, screenJson } from './json-screen';

const SMALL: JsonLimits = { maxDepth: 3, maxMembers: 3, maxItems: 4, maxValues: 10 };
const screen = (text: string) => screenJson(text, SMALL);

/** What the screen measures, taken from the parsed document the slow and obvious way. */
function measure(document: unknown, depth = 0): JsonLimits {
  if (typeof document !== 'object' || document === null) return { maxDepth: depth, maxMembers: 0, maxItems: 0, maxValues: 0 };
  const children = Object.values(document);
  const measured = children.map((child) => measure(child, depth + 1));
  return {
    maxDepth: Math.max(depth + 1, ...measured.map((m) => m.maxDepth)),
    maxMembers: Math.max(Array.isArray(document) ? 0 : children.length, ...measured.map((m) => m.maxMembers)),
    maxItems: Math.max(Array.isArray(document) ? children.length : 0, ...measured.map((m) => m.maxItems)),
    maxValues: children.length + measured.reduce((sum, m) => sum + m.maxValues, 0),
  };
}

describe('screenJson', () => {
  describe('agrees with the parsed document on every measure', () => {
    const documents = {
      checkout: {
        cartId: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e',
        email: 'ada@example.com',
        shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
      },
      'strings holding JSON syntax and escapes': { '{[': ['],}', '"\\"', 'a\\', '\\u005b', ',,,'], 'k"\\,': { '': [] } },
      'empty containers': { a: {}, b: [], c: [[], [{}], {}], d: [{ e: [] }] },
      'arrays of arrays': [[1, [2, 3]], [true, null, -1.5e3], 'x', { y: [{}] }],
    };

    it.each(Object.entries(documents))('%s', (_, document) => {
      const text = JSON.stringify(document, null, 1);
      const exact = measure(document);
      expect(screenJson(text, exact)).toBeUndefined();
      for (const limit of Object.keys(exact) as (keyof JsonLimits)[]) {
        if (exact[limit] === 0) continue;
        expect(screenJson(text, { ...exact, [limit]: exact[limit] - 1 }), limit).toBeDefined();
      }
    });
  });

  it('lets the largest valid request through the default limits: a product with 100 variants of 10 options', () => {
    const options = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`option${i}`, 'value']));
    const product = {
      slug: 'classic-t-shirt',
      name: 'Classic T-shirt',
      attributes: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`attribute${i}`, 'value'])),
      categoryIds: Array.from({ length: 50 }, () => '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e'),
      variants: Array.from({ length: 100 }, (_, i) => ({ sku: `SKU-${i}`, options, priceAmount: 1999, currency: 'EUR' })),
    };
    expect(screenJson(JSON.stringify(product))).toBeUndefined();
    expect(JSON_LIMITS.maxValues).toBeGreaterThan(measure(product).maxValues * 4);
  });

  describe('depth', () => {
    it('refuses arrays or objects nested deeper than the limit, naming the first one too deep', () => {
      expect(screen('{"email":[[1]]}')).toBeUndefined();
      expect(screen('{"email":[[[1]]]}')).toEqual({ field: 'email.0.0', message: 'is nested more than 3 levels deep' });
      expect(screen('{"a":{"b":{"c":{}}}}')).toEqual({ field: 'a.b.c', message: 'is nested more than 3 levels deep' });
    });

    it('stops at the limit however deep the text goes', () => {
      const deep = `{"email":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
      expect(screenJson(deep)).toEqual({ field: `email${'.0'.repeat(31)}`, message: 'is nested more than 32 levels deep' });
    });

    it('counts only open containers: siblings do not add up', () => {
      expect(screen('[[[]],[[]],{"a":[]}]')).toBeUndefined();
    });
  });

  describe('members and items', () => {
    it('refuses an object with more members than the limit, naming it', () => {
      expect(screen('{"a":1,"b":2,"c":3}')).toBeUndefined();
      expect(screen('{"a":1,"b":2,"c":3,"d":4}')).toEqual({ field: 'body', message: 'must have at most 3 members' });
      expect(screen('{"shippingAddress":{"a":1,"b":2,"c":3,"d":4}}')).toEqual({ field: 'shippingAddress', message: 'must have at most 3 members' });
    });

    it('refuses an array with more items than the limit, naming it', () => {
      expect(screen('{"ids":[1,2,3,4]}')).toBeUndefined();
      expect(screen('{"ids":[1,2,3,4,5]}')).toEqual({ field: 'ids', message: 'must have at most 4 items' });
      expect(screen('{"v":[0,[1,2,3,4,5]]}')).toEqual({ field: 'v.1', message: 'must have at most 4 items' });
    });

    it('refuses more members and items in all than the limit, wherever they are', () => {
      expect(screen('[[1,2,3],[4,5,6],[7]]')).toBeUndefined();
      expect(screen('[[1,2,3],[4,5,6],[7,8]]')).toEqual({ field: 'body', message: 'must have at most 10 members and items in all' });
    });

    it('does not count commas, brackets or braces inside strings', () => {
      expect(screen('{"a":"[[[[,,,,{{{{","b,b,b,b":"}}}]]]"}')).toBeUndefined();
      expect(screen('["\\"[[[[,,,,", "\\\\"]')).toBeUndefined();
    });
  });

  describe('well-formed Unicode', () => {
    it.each([
      ['a lone high surrogate', '\\ud800'],
      ['a lone low surrogate', '\\udfff'],
      ['a reversed pair', '\\udc00\\ud800'],
      ['a high surrogate before another escape', '\\uD800\\u0041'],
      ['a high surrogate ending the string', 'ada\\ud83d'],
    ])('refuses %s in a value, naming the field', (_, escapes) => {
      expect(screen(`{"email":"a${escapes}@example.com"}`)).toEqual({ field: 'email', message: 'must be well-formed Unicode text' });
    });

    it('names a value deep in the body by its path, and the body itself when it is the string', () => {
      expect(screen('{"a":[{"b":"ok"},{"b":"\\ud800"}]}')).toEqual({ field: 'a.1.b', message: 'must be well-formed Unicode text' });
      expect(screen('"\\ud800"')).toEqual({ field: 'body', message: 'must be well-formed Unicode text' });
    });

    it('refuses a member name that is not well-formed, naming the object that holds it', () => {
      expect(screen('{"\\ud800":1}')).toEqual({ field: 'body', message: 'has a member name that is not well-formed Unicode text' });
      expect(screen('{"address":{"city":"x","\\udfff":1}}')).toEqual({ field: 'address', message: 'has a member name that is not well-formed Unicode text' });
    });

    it('accepts surrogate pairs, escaped or not, and an escaped backslash before "ud800"', () => {
      expect(screen('{"name":"\\ud83d\\ude00 \\uD83D\\uDE00 😀","\\ud83d\\ude00":"\\\\ud800"}')).toBeUndefined();
    });
  });

  it('names members by their unescaped names', () => {
    expect(screen('{"a\\"b":[[["\\ud800"]]]}')).toEqual({ field: 'a"b.0.0', message: 'is nested more than 3 levels deep' });
  });

  it.each(['{"a":', '{"a":"\\ud', '[}}]]', '{"a\\u12":[[[[', '"unterminated', ',,,', ''])('does not throw on text that is not JSON: %j', (text) => {
    expect(() => screen(text)).not.toThrow();
  });
});
