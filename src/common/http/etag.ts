import { PreconditionFailedError } from '../problem/app-error';

/** Versioned resources carry their row version as a strong ETag. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

export function matchesIfNoneMatch(header: string | undefined, version: number): boolean {
  if (!header) return false;
  const current = etagOf(version);
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === current || trimmed === `W/${current}`;
  });
}

/** The version an If-Match header asks for; undefined when absent or `*`. */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*"(\d{1,10})"\s*$/.exec(header);
  if (!match) throw new PreconditionFailedError('If-Match must be an ETag this API issued, such as "3".');
  return Number(match[1]);
}
