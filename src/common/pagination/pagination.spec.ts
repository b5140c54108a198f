import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { ValidationFailedException } from '../problem/problem';
import { decodeCursor, encodeCursor, PageQueryDto } from './pagination';

interface CreatedKey extends Record<string, string | number> {
  createdAt: string;
  id: string;
}

const isCreatedKey = (key: Record<string, unknown>): key is CreatedKey =>
  typeof key.createdAt === 'string' && typeof key.id === 'string';

function rejectionOf(cursor: string): ValidationFailedException {
  try {
    decodeCursor(cursor, isCreatedKey);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailedException);
    return error as ValidationFailedException;
  }
  throw new Error(`expected cursor ${cursor} to be rejected`);
}

describe('cursors', () => {
  it('round-trip the sort key of the last item, as URL-safe text', () => {
    const key = { createdAt: '2026-01-02T03:04:05.678Z', id: '0193f2a4-7b3c-7000-8000-00000000000a' };
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, isCreatedKey)).toEqual(key);
  });

  it.each([
    ['not base64 at all', '!!!not-a-cursor!!!'],
    ['not JSON', Buffer.from('createdAt=yesterday').toString('base64url')],
    ['a JSON number', Buffer.from('42').toString('base64url')],
    ['a JSON array', Buffer.from('["2026-01-02", "id"]').toString('base64url')],
    ['null', Buffer.from('null').toString('base64url')],
    ['an object of the wrong shape', encodeCursor({ createdAt: 5, id: 'x' })],
    ['an empty string', ''],
  ])('reject a forged cursor (%s) as a validation failure on the cursor field', (_, cursor) => {
    expect(rejectionOf(cursor).fieldErrors).toEqual([{ field: 'cursor', message: 'cursor is not one this API issued' }]);
  });
});

describe('PageQueryDto', () => {
  const errorsOf = (query: Record<string, unknown>) =>
    validateSync(plainToInstance(PageQueryDto, query)).map((error) => error.property);

  it('defaults to 20 items and accepts 1 to 100 from the query string', () => {
    expect(plainToInstance(PageQueryDto, {}).limit).toBe(20);
    expect(plainToInstance(PageQueryDto, { limit: '100' }).limit).toBe(100);
    expect(errorsOf({ limit: '1', cursor: 'abc' })).toEqual([]);
  });

  it.each([['0'], ['101'], ['2.5'], ['ten']])('rejects limit=%s', (limit) => {
    expect(errorsOf({ limit })).toEqual(['limit']);
  });

  it('rejects an overlong cursor', () => {
    expect(errorsOf({ cursor: 'a'.repeat(513) })).toEqual(['cursor']);
  });
});
