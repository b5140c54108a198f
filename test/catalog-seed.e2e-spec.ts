import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../src/auth/permissions';
import { CatalogSeeder, DEMO_PRODUCT_COUNT, mulberry32 } from '../src/catalog/catalog.seeder';
import { signUp, SignedInUser } from './support/factories';
import { createTestDatabase, startTestApp, TestApp } from './support/test-app';

interface Variant { sku: string; options: Record<string, string>; priceAmount: number; currency: string; compareAtAmount: number | null }
interface Product { id: string; slug: string; status: string; brand: string | null; attributes: Record<string, string>; categoryIds: string[]; variants: Variant[] }

/** Every product a staff member sees, page by page. */
async function allProducts(t: TestApp, token: string): Promise<Product[]> {
  const products: Product[] = [];
  let cursor: string | null = null;
  do {
    const response = await t.request('GET', `/v1/products?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(response.status).toBe(200);
    products.push(...(response.body.data as Product[]));
    cursor = response.body.nextCursor as string | null;
  } while (cursor);
  return products;
}

describe('catalog seeder', () => {
  let t: TestApp;
  let manager: SignedInUser;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await signUp(t, [Role.Manager]);
  });
  afterAll(() => t.close());

  it('mulberry32 is deterministic', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(first.every((n) => n >= 0 && n < 1)).toBe(true);
  });

  it('creates N products with variants, categories, brands and attributes', async () => {
    const result = await t.get(CatalogSeeder).seed(60);
    expect(result).toMatchObject({ skipped: false, products: 60, categoriesCreated: expect.any(Number) });
    const products = await allProducts(t, manager.accessToken);
    expect(products).toHaveLength(60);
    expect(result.variants).toBe(products.reduce((sum, product) => sum + product.variants.length, 0));
    for (const product of products) {
      expect(product.variants.length).toBeGreaterThanOrEqual(1);
      expect(product.variants.length).toBeLessThanOrEqual(4);
      expect(product.categoryIds.length).toBeGreaterThanOrEqual(1);
      expect(product.brand).toBeTruthy();
      expect(product.attributes).toHaveProperty('material');
      for (const variant of product.variants) {
        expect(variant.currency).toBe('EUR');
        expect(Number.isInteger(variant.priceAmount)).toBe(true);
        if (variant.compareAtAmount !== null) expect(variant.compareAtAmount).toBeGreaterThan(variant.priceAmount);
      }
    }
    const skus = products.flatMap((product) => product.variants.map((variant) => variant.sku));
    expect(new Set(skus).size).toBe(skus.length);
    expect(products.filter((product) => product.status === 'active').length).toBeGreaterThan(30);

    // The category tree: roots with children, and products findable through a root.
    const categories = await t.request('GET', '/v1/categories?limit=100');
    const tree = categories.body.data as Array<{ id: string; slug: string; depth: number }>;
    expect(tree.filter((category) => category.depth === 0).map((category) => category.slug)).toEqual(
      expect.arrayContaining(['demo-apparel', 'demo-home', 'demo-electronics']),
    );
    expect(tree.some((category) => category.depth === 2)).toBe(true);
    const apparel = tree.find((category) => category.slug === 'demo-apparel')!;
    const inApparel = await t.request('GET', `/v1/products?categoryId=${apparel.id}&limit=100`);
    expect(inApparel.status).toBe(200);
  });

  it('does not duplicate when run again, and adds new products only with force', async () => {
    const seeder = t.get(CatalogSeeder);
    const again = await seeder.seed(60);
    expect(again).toMatchObject({ skipped: true, products: 0 });
    expect(await seeder.productCount()).toBe(60);

    const forced = await seeder.seed(15, { force: true });
    expect(forced).toMatchObject({ skipped: false, products: 15, categoriesCreated: 0 });
    const products = await allProducts(t, manager.accessToken);
    expect(products).toHaveLength(75);
    expect(new Set(products.map((product) => product.slug)).size).toBe(75);
  });
});

describe('quick-start demo catalog (SEED_DEMO_DATA)', () => {
  it('is seeded at start-up on an empty catalog', async () => {
    const t = await startTestApp({ SEED_DEMO_DATA: 'true' });
    try {
      expect(await t.get(CatalogSeeder).productCount()).toBe(DEMO_PRODUCT_COUNT);
      const listed = await t.request('GET', '/v1/products?limit=10');
      expect(listed.status).toBe(200);
      expect(listed.body.data.length).toBe(10);
    } finally {
      await t.close();
    }
  });

  it('is not seeded when products exist, nor when switched off', async () => {
    const database = await createTestDatabase();
    const first = await startTestApp({ SEED_DEMO_DATA: 'false' }, { database });
    expect(await first.get(CatalogSeeder).productCount()).toBe(0);
    const manager = await signUp(first, [Role.Manager]);
    const created = await first.request('POST', '/v1/products', {
      token: manager.accessToken,
      body: { slug: 'only-product', name: 'Only product', status: 'active', variants: [{ sku: 'ONLY-1', priceAmount: 1000, currency: 'EUR' }] },
    });
    expect(created.status).toBe(201);
    await first.app.close(); // keeps the database, unlike TestApp.close()

    const second = await startTestApp({ SEED_DEMO_DATA: 'true' }, { database });
    try {
      expect(await second.get(CatalogSeeder).productCount()).toBe(1);
    } finally {
      await second.close();
    }
  });
});
