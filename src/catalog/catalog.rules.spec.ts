import { validate } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { Permission } from '../auth/permissions';
import { PreconditionFailedError, PreconditionRequiredError } from '../common/problem/app-error';
import { isCatalogStaff, requiredIfMatch } from './catalog.rules';
import { IsStringMap } from './dto/string-map';

class Holder {
  @IsStringMap(2, 3, 4)
  map: unknown;
}

const errorsFor = async (map: unknown) => (await validate(Object.assign(new Holder(), { map }))).length;

describe('catalog rules', () => {
  it('requires If-Match: missing is 428, malformed 412, `*` any version', () => {
    expect(() => requiredIfMatch(undefined)).toThrow(PreconditionRequiredError);
    expect(() => requiredIfMatch(' ')).toThrow(PreconditionRequiredError);
    expect(() => requiredIfMatch('W/"x"')).toThrow(PreconditionFailedError);
    expect(requiredIfMatch('"7"')).toBe(7);
    expect(requiredIfMatch('*')).toBeUndefined();
  });

  it('treats only catalog:write holders as staff', () => {
    expect(isCatalogStaff(undefined)).toBe(false);
    expect(isCatalogStaff({ roles: [], permissions: new Set([Permission.AccountRead]) })).toBe(false);
    expect(isCatalogStaff({ roles: [], permissions: new Set([Permission.CatalogWrite]) })).toBe(true);
  });

  it('accepts only bounded maps of strings', async () => {
    expect(await errorsFor({ a: 'x', bcd: 'wxyz' })).toBe(0);
    expect(await errorsFor({})).toBe(0);
    expect(await errorsFor({ a: '1', b: '2', c: '3' })).toBe(1); // too many keys
    expect(await errorsFor({ abcd: 'x' })).toBe(1); // key too long
    expect(await errorsFor({ '': 'x' })).toBe(1); // empty key
    expect(await errorsFor({ a: 'vwxyz' })).toBe(1); // value too long
    expect(await errorsFor({ a: '❤❤❤❤' })).toBe(0); // counted in code points
    expect(await errorsFor({ a: 'x\ny' })).toBe(1); // control character
    expect(await errorsFor({ a: 1 })).toBe(1);
    expect(await errorsFor({ a: { b: 'c' } })).toBe(1);
    expect(await errorsFor(['a'])).toBe(1);
    expect(await errorsFor(null)).toBe(1);
    expect(await errorsFor('a')).toBe(1);
  });
});
