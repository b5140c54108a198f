import { Test } from '@nestjs/testing';
import { mkdtempSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UnsupportedMediaTypeError } from '../common/problem/app-error';
import { loadConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { StorageService } from '../storage/storage.service';
import { IMAGE_CACHE_CONTROL, ImageStore } from './image-store.service';
import { MediaModule } from './media.module';

describe('ImageStore', () => {
  let dir: string;
  let images: ImageStore;
  let storage: StorageService;
  let close: () => Promise<void>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emporium-images-'));
    const config = loadConfig({ STORAGE_LOCAL_DIR: dir, STORAGE_PUBLIC_BASE_URL: 'https://cdn.example.com' });
    const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), MediaModule] }).compile();
    images = moduleRef.get(ImageStore);
    storage = moduleRef.get(StorageService);
    close = () => moduleRef.close();
  });
  afterAll(async () => {
    await close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores the original and every rendition under one prefix, immutable and cacheable', async () => {
    const jpeg = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#336699' } }).jpeg().toBuffer();
    const stored = await images.store('products/p1/images/i1', jpeg);

    expect(stored.format).toBe('jpeg');
    expect(stored.original).toMatchObject({ key: 'products/p1/images/i1/original.jpg', url: 'https://cdn.example.com/products/p1/images/i1/original.jpg', width: 900 });
    expect(stored.renditions.map((r) => r.key)).toEqual(['products/p1/images/i1/w320.webp', 'products/p1/images/i1/w640.webp']);
    expect(readdirSync(join(dir, 'products/p1/images/i1')).sort()).toEqual(['original.jpg', 'w320.webp', 'w640.webp']);
    const file = await storage.get('products/p1/images/i1/w320.webp');
    expect(file).toMatchObject({ contentType: 'image/webp', cacheControl: IMAGE_CACHE_CONTROL, contentLength: stored.renditions[0].bytes });
    file.body.destroy();

    await images.remove(stored);
    expect(readdirSync(join(dir, 'products/p1/images/i1'))).toEqual([]);
  });

  it('stores nothing for a rejected upload, and removes what it wrote when a write fails', async () => {
    await expect(images.store('products/p2/images/i1', Buffer.from('not an image'))).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
    expect(await storage.exists('products/p2/images/i1/original.png')).toBe(false);

    const png = await sharp({ create: { width: 800, height: 400, channels: 4, background: '#00000000' } }).png().toBuffer();
    const realPut = storage.put.bind(storage);
    const written: string[] = [];
    const put = vi
      .spyOn(storage, 'put')
      .mockImplementationOnce(async (key, ...rest) => (await realPut(key, ...rest), void written.push(key)))
      .mockImplementationOnce(() => Promise.reject(new Error('disk full')));
    await expect(images.store('products/p3/images/i1', png)).rejects.toThrow('disk full');
    put.mockRestore();
    expect(written).toEqual(['products/p3/images/i1/original.png']);
    expect(await storage.exists('products/p3/images/i1/original.png')).toBe(false);
  });
});
