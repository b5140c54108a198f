import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../src/auth/permissions';
import { StorageService } from '../src/storage/storage.service';
import { signUp, SignedInUser } from './support/factories';
import { expectProblem } from './support/problem';
import { craftedPng } from './support/images';
import { startTestApp, TestApp } from './support/test-app';

const UNKNOWN_ID = '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e';

function form(file: Buffer | undefined, name = 'photo.jpg', type = 'image/jpeg', fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  if (file) data.append('file', new Blob([new Uint8Array(file)], { type }), name);
  return data;
}

/** A 1600x1000 JPEG carrying EXIF with a camera name and GPS position. */
function jpegWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 1600, height: 1000, channels: 3, background: { r: 20, g: 120, b: 200 } } })
    .withExif({
      IFD0: { Make: 'SpyCam', Model: 'X1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
    })
    .jpeg()
    .toBuffer();
}

describe('product images', () => {
  let t: TestApp;
  let dir: string;
  let manager: SignedInUser;
  let customer: SignedInUser;
  let productId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emporium-product-images-'));
    t = await startTestApp({ STORAGE_LOCAL_DIR: dir });
    manager = await signUp(t, [Role.Manager]);
    customer = await signUp(t);
    const created = await t.request('POST', '/v1/products', {
      token: manager.accessToken,
      body: { slug: `pictured-${Date.now()}`, name: 'Pictured', status: 'active', variants: [{ sku: `PIC-${Date.now()}`, options: {}, priceAmount: 100, currency: 'EUR' }] },
    });
    expect(created.status).toBe(201);
    productId = created.body.id;
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  const upload = (data: FormData, token = manager.accessToken, id = productId) =>
    t.request('POST', `/v1/products/${id}/images`, { token, formData: data });

  it('stores a JPEG without its EXIF/GPS, serves the original and renditions cacheably, and deletes them with the image', async () => {
    const input = await jpegWithGps();
    expect((await sharp(input).metadata()).exif).toBeDefined();

    const created = await upload(form(input, 'holiday.jpg', 'image/jpeg', { alt: 'Blue sky', position: '3' }));
    expect(created.status).toBe(201);
    const image = created.body;
    expect(created.headers.get('location')).toBe(`/v1/products/${productId}/images/${image.id}`);
    expect(image).toMatchObject({ productId, alt: 'Blue sky', position: 3, width: 1600, height: 1000 });
    expect(image.original).toMatchObject({ name: 'original', contentType: 'image/jpeg', width: 1600, height: 1000 });
    expect(image.original.url).toBe(`/v1/media/products/${productId}/images/${image.id}/original.jpg`);
    expect(image.renditions.map((r: { name: string; contentType: string }) => [r.name, r.contentType])).toEqual([
      ['w320', 'image/webp'],
      ['w640', 'image/webp'],
      ['w1280', 'image/webp'],
    ]);

    for (const [file, type] of [[image.original, 'image/jpeg'], [image.renditions[1], 'image/webp']] as const) {
      const served = await t.request('GET', file.url);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe(type);
      expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const bytes = served.body as Buffer;
      expect(bytes.length).toBe(file.bytes);
      const meta = await sharp(bytes).metadata();
      expect([meta.width, meta.height]).toEqual([file.width, file.height]);
      expect(meta.exif).toBeUndefined();
      expect(bytes.includes(Buffer.from('SpyCam'))).toBe(false);
    }

    const listed = await t.request('GET', `/v1/products/${productId}/images`);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((i: { id: string }) => i.id)).toContain(image.id);

    const deleted = await t.request('DELETE', `/v1/products/${productId}/images/${image.id}`, { token: manager.accessToken });
    expect(deleted.status).toBe(204);
    const storage = t.get(StorageService);
    for (const file of [image.original, ...image.renditions]) {
      expect(await storage.exists(file.url.replace('/v1/media/', ''))).toBe(false);
      expectProblem(await t.request('GET', file.url), 404);
    }
    expectProblem(await t.request('DELETE', `/v1/products/${productId}/images/${image.id}`, { token: manager.accessToken }), 404);
  });

  it('orders by position, appends by default and changes alt text and position', async () => {
    const png = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#ff0000' } }).png().toBuffer();
    const first = (await upload(form(png, 'a.png', 'image/png'))).body;
    const second = (await upload(form(png, 'b.png', 'image/png', { alt: 'Second' }))).body;
    expect(second.position).toBe(first.position + 1);
    expect(first.renditions).toEqual([]);

    const changed = await t.request('PATCH', `/v1/products/${productId}/images/${second.id}`, {
      token: manager.accessToken,
      body: { alt: null },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: second.id, alt: null, position: second.position });
    const moved = await t.request('PATCH', `/v1/products/${productId}/images/${first.id}`, { token: manager.accessToken, body: { position: 9 } });
    expect(moved.body).toMatchObject({ id: first.id, position: 9 });
    const listed = await t.request('GET', `/v1/products/${productId}/images`);
    expect(listed.body.data.map((i: { id: string }) => i.id).slice(0, 2)).toEqual([second.id, first.id]);

    const invalid = await t.request('PATCH', `/v1/products/${productId}/images/${second.id}`, {
      token: manager.accessToken,
      body: { alt: 'x'.repeat(201), position: -1 },
    });
    expectProblem(invalid, 400);
    expectProblem(await t.request('PATCH', `/v1/products/${productId}/images/${UNKNOWN_ID}`, { token: manager.accessToken, body: { alt: 'x' } }), 404);
  });

  it('refuses a file that claims to be a PNG but is not (415, by its bytes)', async () => {
    const response = await upload(form(Buffer.from('this is not a PNG, whatever its name says'), 'photo.png', 'image/png'));
    expectProblem(response, 415);
    expect(response.body.accepted).toEqual(['image/jpeg', 'image/png', 'image/webp']);
  });

  it('refuses a 50 MB upload with 413 while it streams, not a 500', async () => {
    const huge = Buffer.alloc(50 * 1024 * 1024);
    huge.set([0xff, 0xd8, 0xff]);
    const response = await upload(form(huge, 'huge.jpg'));
    expectProblem(response, 413);
    expect(response.body.maxBytes).toBe(5 * 1024 * 1024);
    // The app still answers afterwards.
    expect((await t.request('GET', `/v1/products/${productId}/images`)).status).toBe(200);
  });

  it('refuses a decompression bomb (huge dimensions in the header) with 422', async () => {
    const response = await upload(form(craftedPng(100_000, 100_000), 'bomb.png', 'image/png'));
    expectProblem(response, 422);
    expect(response.body.maxPixels).toBe(40_000_000);
  });

  it('answers 400 without a file part, 415 to a body that is not multipart, 403 to customers, 404 for an unknown product', async () => {
    const missing = await upload(form(undefined, '', '', { alt: 'No file' }));
    expectProblem(missing, 400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'file' })]);
    const extra = await upload(form(Buffer.from('x'), 'a.png', 'image/png', { colour: 'red' }));
    expectProblem(extra, 400);
    const badFields = await upload(form(Buffer.from('x'), 'a.png', 'image/png', { alt: 'x'.repeat(201), position: 'first' }));
    expectProblem(badFields, 400);
    expect(badFields.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['alt', 'position']);

    expectProblem(await t.request('POST', `/v1/products/${productId}/images`, { token: manager.accessToken, body: { file: 'aGVsbG8=' } }), 415);

    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } }).png().toBuffer();
    expectProblem(await upload(form(png, 'a.png', 'image/png'), customer.accessToken), 403);
    expectProblem(await t.request('POST', `/v1/products/${productId}/images`, { formData: form(png, 'a.png', 'image/png') }), 401);
    expectProblem(await upload(form(png, 'a.png', 'image/png'), manager.accessToken, UNKNOWN_ID), 404);
    expectProblem(await t.request('GET', `/v1/products/${UNKNOWN_ID}/images`), 404);
  });

  it('serves only image keys: anything else under /v1/media is 404', async () => {
    expectProblem(await t.request('GET', `/v1/media/products/${productId}/images/${UNKNOWN_ID}/original.jpg`), 404);
    expectProblem(await t.request('GET', `/v1/media/products/${productId}/images/${UNKNOWN_ID}/secret.txt`), 404);
    expectProblem(await t.request('GET', `/v1/media/products/${productId}/images/${UNKNOWN_ID}/..%2F..%2F.meta`), 404);
  });
});
