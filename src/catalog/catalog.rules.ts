import type { Principal } from '../auth/principal';
import { Permission } from '../auth/permissions';
import { PreconditionRequiredError } from '../common/problem/app-error';
import { versionFromIfMatch } from '../common/http/etag';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Staff who edit the catalog also see draft and archived products. */
export function isCatalogStaff(principal: Principal | undefined): boolean {
  return principal?.permissions.has(Permission.CatalogWrite) ?? false;
}

/** The version a required If-Match names: 428 when missing, 412 when malformed. `*` matches any version. */
export function requiredIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') {
    throw new PreconditionRequiredError('Send the ETag you read as If-Match, so that concurrent edits cannot overwrite each other.');
  }
  return versionFromIfMatch(header);
}
