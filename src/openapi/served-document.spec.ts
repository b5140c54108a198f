import { describe, expect, it } from 'vitest';
import { negotiateContentCoding } from './served-document';

describe('negotiateContentCoding', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip, deflate, br', 'br'],
    ['gzip, deflate', 'gzip'],
    ['br;q=0.5, gzip;q=0.9', 'gzip'],
    ['BR ; q=1 , gzip', 'br'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['deflate, identity', 'identity'],
    ['gzip;q=0, br;q=0', 'identity'],
    ['identity;q=0, gzip;q=0.1', 'gzip'],
    ['identity;q=0', 'identity'],
  ] as const)('answers %j with %s', (header, coding) => {
    expect(negotiateContentCoding(header)).toBe(coding);
  });
});
