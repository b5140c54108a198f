import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { buffer } from 'node:stream/consumers';
import { NotFoundError, RuleViolationError } from '../common/problem/app-error';
import { AppConfig } from '../config/app-config';
import { isValidKey, STORAGE_DRIVER } from './storage-driver';
import type { StorageDriver, StoredFile } from './storage-driver';

/**
 * The one way the application stores files (product images and the like), whatever the back
 * end: local disk or an S3 bucket, chosen by STORAGE_DRIVER. Keys are validated here once for
 * every driver; see `isValidKey`.
 */
@Injectable()
export class StorageService implements OnApplicationShutdown {
  constructor(
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    private readonly config: AppConfig,
  ) {}

  get driverName(): StorageDriver['name'] {
    return this.driver.name;
  }

  /** Stores (or replaces) a file. */
  async put(key: string, bytes: Buffer, contentType: string, cacheControl?: string): Promise<void> {
    return this.driver.put(checked(key), bytes, contentType, cacheControl);
  }

  /** The stored file as a stream; NotFoundError (404) when there is none. */
  async get(key: string): Promise<StoredFile> {
    const file = await this.driver.get(checked(key));
    if (!file) throw new NotFoundError('File', key);
    return file;
  }

  /** The stored file's bytes at once, for small files; NotFoundError (404) when there is none. */
  async getBytes(key: string): Promise<{ bytes: Buffer; contentType: string }> {
    const file = await this.get(key);
    return { bytes: await buffer(file.body), contentType: file.contentType };
  }

  async delete(key: string): Promise<void> {
    return this.driver.delete(checked(key));
  }

  async exists(key: string): Promise<boolean> {
    return this.driver.exists(checked(key));
  }

  /**
   * Where clients can fetch the file directly (STORAGE_PUBLIC_BASE_URL + key), or undefined when
   * no public base URL is configured and the application must serve it from `get()`.
   */
  publicUrl(key: string): string | undefined {
    const base = this.config.storage.publicBaseUrl;
    return base ? `${base}/${checked(key).split('/').map(encodeURIComponent).join('/')}` : undefined;
  }

  /** Rejects when the back end is unreachable within the timeout (readiness). */
  ping(timeoutMs: number): Promise<void> {
    return this.driver.ping(timeoutMs);
  }

  onApplicationShutdown(): void {
    (this.driver as { destroy?: () => void }).destroy?.();
  }
}

function checked(key: string): string {
  if (!isValidKey(key)) {
    throw new RuleViolationError(
      'Invalid storage key: use slash-separated names of letters, digits, ".", "_" and "-", not starting with "." or "-".',
      { key: key.slice(0, 200) },
    );
  }
  return key;
}
