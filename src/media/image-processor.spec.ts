import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { PayloadTooLargeError, RuleViolationError, UnsupportedMediaTypeError } from '../common/problem/app-error';
import { loadConfig } from '../config/app-config';
import { LocalDiskDriver } from '../storage/local-disk.driver';
import { craftedPng } from '../../test/support/images';
import { ImageProcessor, sniffFormat } from './image-processor';

const processor = new ImageProcessor(loadConfig({}));

function picture(width: number, height: number) {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 60 } } });
}

async function rejection(promise: Promise<unknown>): Promise<Error & { status?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { status?: number };
  }
  throw new Error('expected a rejection');
}

describe('ImageProcessor', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('strips EXIF (GPS included) from a JPEG, turns it upright and makes WebP renditions without upscaling', async () => {
    // 1600x800 stored sideways: EXIF orientation 6 means "rotate 90° clockwise to view".
    const input = await picture(1600, 800)
      .withExif({
        IFD0: { Make: 'SpyCam', Model: 'X1', Copyright: 'someone' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
      })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const before = await sharp(input).metadata();
    expect(before.orientation).toBe(6);
    expect(before.exif?.includes(Buffer.from('SpyCam'))).toBe(true);
    // The GPS IFD pointer (tag 0x8825, little-endian here) is in the input's EXIF.
    expect(before.exif?.includes(Buffer.from([0x25, 0x88]))).toBe(true);

    const result = await processor.process(input);

    expect(result.format).toBe('jpeg');
    expect(result.original).toMatchObject({ name: 'original', keySuffix: 'original.jpg', contentType: 'image/jpeg', width: 800, height: 1600 });
    expect(result.renditions.map(({ data: _data, ...descriptor }) => descriptor)).toEqual([
      { name: 'w320', keySuffix: 'w320.webp', width: 320, height: 640, bytes: result.renditions[0].data.length, contentType: 'image/webp' },
      { name: 'w640', keySuffix: 'w640.webp', width: 640, height: 1280, bytes: result.renditions[1].data.length, contentType: 'image/webp' },
    ]);
    for (const output of [result.original, ...result.renditions]) {
      const meta = await sharp(output.data).metadata();
      expect(meta.format).toBe(output.contentType === 'image/webp' ? 'webp' : 'jpeg');
      expect([meta.width, meta.height]).toEqual([output.width, output.height]);
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      expect(output.data.includes(Buffer.from('SpyCam'))).toBe(false);
    }
  });

  it('decides by bytes: a PNG stored as "photo.jpg" with type image/jpeg is processed as a PNG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emporium-media-'));
    dirs.push(dir);
    const disk = new LocalDiskDriver(dir);
    await disk.put('photo.jpg', await picture(700, 300).png().toBuffer(), 'image/jpeg');
    const stored = await disk.get('photo.jpg');
    expect(stored?.contentType).toBe('image/jpeg');

    const result = await processor.process(Buffer.concat(await stored!.body.toArray()));
    expect(result.format).toBe('png');
    expect(result.original).toMatchObject({ keySuffix: 'original.png', contentType: 'image/png', width: 700, height: 300 });
    expect(result.renditions.map((r) => r.width)).toEqual([320, 640]);
  });

  it('accepts WebP and keeps it WebP', async () => {
    const result = await processor.process(await picture(2000, 1000).webp().toBuffer());
    expect(result.format).toBe('webp');
    expect(result.original).toMatchObject({ keySuffix: 'original.webp', contentType: 'image/webp', width: 2000, height: 1000 });
    expect(result.renditions.map((r) => [r.width, r.height])).toEqual([
      [320, 160],
      [640, 320],
      [1280, 640],
    ]);
  });

  it.each([
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
    ['text that claims to be a PNG', Buffer.from('this is not a PNG, whatever its name says')],
    ['an empty file', Buffer.alloc(0)],
    ['a GIF', Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64')],
  ])('rejects %s as unsupported media (415)', async (_label, bytes) => {
    const error = await rejection(processor.process(bytes));
    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(error.status).toBe(415);
  });

  it('rejects an SVG or TIFF that sharp could read (415), since only JPEG, PNG and WebP are allowed', async () => {
    const tiff = await picture(10, 10).tiff().toBuffer();
    expect(sniffFormat(tiff)).toBeUndefined();
    expect(await rejection(processor.process(tiff))).toBeInstanceOf(UnsupportedMediaTypeError);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    expect(await rejection(processor.process(svg))).toBeInstanceOf(UnsupportedMediaTypeError);
  });

  it('rejects a damaged image whose magic number is right (422)', async () => {
    const good = await picture(200, 200).jpeg().toBuffer();
    const damaged = Buffer.concat([good.subarray(0, 4), Buffer.alloc(2000, 0x55)]);
    const error = await rejection(processor.process(damaged));
    expect(error).toBeInstanceOf(RuleViolationError);
    expect(error.status).toBe(422);
  });

  it('rejects a PNG whose header claims 100000x100000 pixels from the header alone (422), without decoding it', async () => {
    const bomb = craftedPng(100_000, 100_000);
    expect(bomb.length).toBeLessThan(100);
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const error = await rejection(processor.process(bomb));
    expect(error).toBeInstanceOf(RuleViolationError);
    expect(error.status).toBe(422);
    expect(error.message).toMatch(/100000x100000 pixels; at most 40000000/);
    expect(performance.now() - started).toBeLessThan(2000);
    // 10^10 RGB pixels would be 30 GB; the process grew by far less than one such row band.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('applies IMAGE_MAX_PIXELS to ordinary images too', async () => {
    const strict = new ImageProcessor(loadConfig({ IMAGE_MAX_PIXELS: '10000' }));
    const error = await rejection(strict.process(await picture(200, 200).png().toBuffer()));
    expect(error).toBeInstanceOf(RuleViolationError);
    expect((error as RuleViolationError).extensions).toEqual({ maxPixels: 10000 });
  });

  it('rejects a 6 MiB upload before reading it (413 at the 5 MiB default)', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024);
    big.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const error = await rejection(processor.process(big));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.status).toBe(413);
    expect((error as PayloadTooLargeError).extensions).toEqual({ maxBytes: 5 * 1024 * 1024 });
  });
});
