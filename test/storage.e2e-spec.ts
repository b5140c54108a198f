import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageProcessor } from '../src/media/image-processor';
import { ImageStore } from '../src/media/image-store.service';
import { StorageService } from '../src/storage/storage.service';
import { expectProblem } from './support/problem';
import { startTestApp, TEST_METRICS_TOKEN } from './support/test-app';

// @20minutes/s3rver (a maintained fork of s3rver, Node >= 20) ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('@20minutes/s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
};

describe('storage in the application', () => {
  it('wires StorageService (local disk by default) and ImageProcessor into the app', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emporium-uploads-'));
    const t = await startTestApp({ STORAGE_LOCAL_DIR: dir });
    try {
      const storage = t.get(StorageService);
      expect(storage.driverName).toBe('local');
      await storage.put('products/p1/original.png', Buffer.from('png bytes'), 'image/png');
      expect(await storage.getBytes('products/p1/original.png')).toEqual({ bytes: Buffer.from('png bytes'), contentType: 'image/png' });
      expect(t.get(ImageProcessor)).toBeInstanceOf(ImageProcessor);
      expect(t.get(ImageStore)).toBeInstanceOf(ImageStore);
      const ready = await t.request('GET', '/health/ready', { token: TEST_METRICS_TOKEN });
      expect(ready.status).toBe(200);
      expect(ready.body.details.storage).toBeUndefined();
    } finally {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('with STORAGE_DRIVER=s3, readiness checks the bucket and turns 503 while it is unreachable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emporium-s3rver-'));
    // s3rver miscomputes signatures of bucket-level requests (HeadBucket), so this server skips the check.
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'media' }], allowMismatchedSignatures: true });
    const { port } = await server.run();
    const t = await startTestApp({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'media',
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    });
    try {
      const up = await t.request('GET', '/health/ready', { token: TEST_METRICS_TOKEN });
      expect(up.status).toBe(200);
      expect(up.body.details.storage).toMatchObject({ status: 'up' });

      await server.close();
      const down = await t.request('GET', '/health/ready', { token: TEST_METRICS_TOKEN });
      expectProblem(down, 503, '/health/ready');
      expect(down.body.checks).toMatchObject({ storage: { status: 'down' }, database: { status: 'up' } });
    } finally {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
