import type { Readable } from 'node:stream';

/** A stored file as read back: its bytes as a stream, and what was said about it when it was written. */
export interface StoredFile {
  body: Readable;
  contentType: string;
  /** Size in bytes, when the driver knows it without reading the body. */
  contentLength?: number;
  cacheControl?: string;
}

/**
 * What a storage back end must do. Keys reach a driver already validated by StorageService
 * (see `assertValidKey`); drivers still never trust them to stay inside their root.
 */
export interface StorageDriver {
  readonly name: 'local' | 's3';
  /** Writes the whole file; readers see either the previous version or this one, never a part. */
  put(key: string, bytes: Buffer, contentType: string, cacheControl?: string): Promise<void>;
  /** The file, or undefined when there is none under this key. */
  get(key: string): Promise<StoredFile | undefined>;
  /** Removes the file; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Cheap reachability check for readiness probes; rejects when the back end is unusable. */
  ping(timeoutMs: number): Promise<void>;
}

export const STORAGE_DRIVER = Symbol('STORAGE_DRIVER');

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_KEY_LENGTH = 512;

/**
 * Whether a key is safe on every driver: slash-separated segments of letters, digits, `.`, `_`
 * and `-`, none starting with a dot or a dash (so no `..`, hidden files or option-like names),
 * no leading slash (absolute paths), no empty segments, at most 512 characters.
 */
export function isValidKey(key: string): boolean {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || key.includes('..')) return false;
  return key.split('/').every((segment) => SEGMENT.test(segment));
}
