import { Test } from '@nestjs/testing';
import { mkdtempSync, readdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, RuleViolationError } from '../common/problem/app-error';
import { AppConfig, loadConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { LocalDiskDriver } from './local-disk.driver';
import { isValidKey } from './storage-driver';
import { StorageModule } from './storage.module';
import { StorageService } from './storage.service';

// @20minutes/s3rver (a maintained fork of s3rver, Node >= 20) ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('@20minutes/s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
};

const BUCKET = 'emporium-test';

async function storageFor(config: AppConfig) {
  const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), StorageModule] }).compile();
  return { storage: moduleRef.get(StorageService), close: () => moduleRef.close() };
}

interface Backend {
  name: string;
  setUp(): Promise<{ storage: StorageService; tearDown: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'local disk',
    async setUp() {
      const dir = mkdtempSync(join(tmpdir(), 'emporium-storage-'));
      const { storage, close } = await storageFor(loadConfig({ STORAGE_LOCAL_DIR: join(dir, 'uploads') }));
      return { storage, tearDown: async () => (await close(), rm(dir, { recursive: true, force: true })) };
    },
  },
  {
    name: 'S3 (s3rver on 127.0.0.1)',
    async setUp() {
      const dir = mkdtempSync(join(tmpdir(), 'emporium-s3rver-'));
      const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
      const { port } = await server.run();
      const { storage, close } = await storageFor(
        loadConfig({
          STORAGE_DRIVER: 's3',
          S3_BUCKET: BUCKET,
          S3_ENDPOINT: `http://127.0.0.1:${port}`,
          S3_FORCE_PATH_STYLE: 'true',
          S3_ACCESS_KEY_ID: 'S3RVER',
          S3_SECRET_ACCESS_KEY: 'S3RVER',
        }),
      );
      return {
        storage,
        tearDown: async () => {
          await close();
          await server.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

describe.each(backends)('StorageService on $name', (backend) => {
  let storage: StorageService;
  let tearDown: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, tearDown } = await backend.setUp());
  });
  afterAll(() => tearDown());

  it('stores, reads back, overwrites and deletes a file with its content type and cache control', async () => {
    const key = 'products/3f2a/original.png';
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 255]);
    expect(await storage.exists(key)).toBe(false);

    await storage.put(key, bytes, 'image/png', 'public, max-age=31536000, immutable');
    expect(await storage.exists(key)).toBe(true);
    const file = await storage.get(key);
    expect(file.contentType).toBe('image/png');
    expect(file.cacheControl).toBe('public, max-age=31536000, immutable');
    expect(file.contentLength).toBe(bytes.length);
    expect(await buffer(file.body)).toEqual(bytes);

    await storage.put(key, Buffer.from('second version'), 'text/plain');
    expect(await storage.getBytes(key)).toEqual({ bytes: Buffer.from('second version'), contentType: 'text/plain' });

    await storage.delete(key);
    expect(await storage.exists(key)).toBe(false);
    await expect(storage.get(key)).rejects.toBeInstanceOf(NotFoundError);
    await storage.delete(key); // deleting a missing file is fine
  });

  it('keeps large binary files intact', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024, 7);
    bytes.writeUInt32BE(0xdeadbeef, bytes.length - 4);
    await storage.put('big/blob.bin', bytes, 'application/octet-stream');
    expect((await storage.getBytes('big/blob.bin')).bytes.equals(bytes)).toBe(true);
  });

  it('answers 404 for a file that was never stored', async () => {
    await expect(storage.get('nothing/here.webp')).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each(['../etc/passwd', '/etc/passwd', 'a/../../b', 'a//b', 'a/./b', '.hidden', 'a/.meta/x', 'with space.png', 'emoji-😀.png', 'back\\slash', 'nul\0byte', '', '-rf', 'a/'])(
    'rejects the unsafe key %j before touching the back end',
    async (key) => {
      await expect(storage.put(key, Buffer.from('x'), 'text/plain')).rejects.toBeInstanceOf(RuleViolationError);
      await expect(storage.exists(key)).rejects.toBeInstanceOf(RuleViolationError);
      await expect(storage.get(key)).rejects.toBeInstanceOf(RuleViolationError);
      await expect(storage.delete(key)).rejects.toBeInstanceOf(RuleViolationError);
    },
  );
});

describe('S3 readiness ping (HeadBucket)', () => {
  it('resolves while the bucket is reachable and rejects for a missing bucket or a stopped server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emporium-s3rver-'));
    // s3rver miscomputes signatures of bucket-level requests (`/<bucket>/`); object requests above
    // are checked strictly, this server alone skips the check.
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET }], allowMismatchedSignatures: true });
    const { port } = await server.run();
    const env = {
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    };
    const present = await storageFor(loadConfig({ ...env, S3_BUCKET: BUCKET }));
    const missing = await storageFor(loadConfig({ ...env, S3_BUCKET: 'no-such-bucket' }));
    try {
      expect(present.storage.driverName).toBe('s3');
      await expect(present.storage.ping(2000)).resolves.toBeUndefined();
      await expect(missing.storage.ping(2000)).rejects.toThrow();
      await server.close();
      await expect(present.storage.ping(2000)).rejects.toThrow();
    } finally {
      await present.close();
      await missing.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('storage keys', () => {
  it('accepts ordinary nested names', () => {
    expect(isValidKey('products/0b4f6c1e-7a0d-4c41-9d1c-5f0c2c8e9a10/w640.webp')).toBe(true);
    expect(isValidKey('a_b-c.d/E9')).toBe(true);
    expect(isValidKey('x'.repeat(513))).toBe(false);
  });
});

describe('LocalDiskDriver', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'emporium-local-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes under its root and leaves no temporary files behind, even under concurrent writes', async () => {
    const driver = new LocalDiskDriver(join(dir, 'uploads'));
    const versions = Array.from({ length: 20 }, (_, i) => Buffer.alloc(256 * 1024, i));
    await Promise.all(versions.map((bytes) => driver.put('p/1/original.jpg', bytes, 'image/jpeg')));
    const stored = await readFile(join(dir, 'uploads', 'p', '1', 'original.jpg'));
    // Whole files only: one of the versions, never a mix of two.
    expect(versions.some((bytes) => bytes.equals(stored))).toBe(true);
    expect(readdirSync(join(dir, 'uploads', 'p', '1'))).toEqual(['original.jpg']);
  });

  it('refuses a key that would leave its root even when called directly', async () => {
    const driver = new LocalDiskDriver(join(dir, 'jail'));
    await writeFile(join(dir, 'secret.txt'), 'secret');
    await expect(driver.get('../secret.txt')).rejects.toThrow(/escapes/);
    await expect(driver.put('../../evil.txt', Buffer.from('x'), 'text/plain')).rejects.toThrow(/escapes/);
  });

  it('answers readiness pings by making sure its root exists', async () => {
    const driver = new LocalDiskDriver(join(dir, 'fresh', 'root'));
    await driver.ping();
    expect(readdirSync(join(dir, 'fresh'))).toEqual(['root']);
  });

  it('serves files stored without a sidecar as application/octet-stream', async () => {
    const driver = new LocalDiskDriver(join(dir, 'plain'));
    await driver.put('a.bin', Buffer.from('abc'), 'text/plain');
    await rm(join(dir, 'plain', '.meta'), { recursive: true });
    expect((await driver.get('a.bin'))?.contentType).toBe('application/octet-stream');
  });
});

describe('StorageService.publicUrl', () => {
  it('joins STORAGE_PUBLIC_BASE_URL and the key, or leaves serving to the app when unset', async () => {
    const withBase = await storageFor(loadConfig({ STORAGE_PUBLIC_BASE_URL: 'https://cdn.example.com/media/', STORAGE_LOCAL_DIR: join(tmpdir(), 'unused') }));
    expect(withBase.storage.publicUrl('products/1/w320.webp')).toBe('https://cdn.example.com/media/products/1/w320.webp');
    await withBase.close();
    const without = await storageFor(loadConfig({ STORAGE_LOCAL_DIR: join(tmpdir(), 'unused') }));
    expect(without.storage.publicUrl('products/1/w320.webp')).toBeUndefined();
    await without.close();
  });
});
