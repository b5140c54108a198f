import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, createStockLocation, getOrder, receiveStock, setShippingRate, setTaxRate } from '../clients/typescript/src/index.js';
import { signedInAs } from './support/client';
import { startTestApp, TestApp } from './support/test-app';

// The generated client as a frontend team gets it: `npm pack` in clients/typescript (its prepare
// script builds dist/), the tarball installed into a scratch project of its own, a storefront flow
// type-checked there with strict tsc against the installed package alone, then run as compiled
// JavaScript by plain Node against a running API.

const ADMIN_EMAIL = 'package.admin@example.com';
const ADMIN_PASSWORD = 'package-admin-password-1';
const CLIENT_DIR = resolve(__dirname, '../clients/typescript');
const TSC = resolve(__dirname, '../node_modules/typescript/bin/tsc');

/** What a storefront written against the published package looks like; nothing here may come from the repository. */
const STOREFRONT_TS = `
import { addCartLine, checkout, createEmporiumClient, getProduct, listProducts, openCart, payOrder, type OrderDto } from '@emporium/client';

export interface Purchase {
  order: OrderDto;
  /** Whether re-reading the product with its ETag answered 304. */
  revalidated: boolean;
}

export async function buy(baseUrl: string, searchTerm: string): Promise<Purchase> {
  const { client } = createEmporiumClient({ baseUrl });

  const found = await listProducts({ client, query: { q: searchTerm }, throwOnError: true });
  const listed = found.data.data[0];
  if (!listed) throw new Error('nothing found for ' + searchTerm);
  const read = await getProduct({ client, path: { id: listed.id }, throwOnError: true });
  const etag = read.response.headers.get('etag');
  const again = await getProduct({ client, path: { id: listed.id }, headers: etag ? { 'If-None-Match': etag } : undefined, throwOnError: true });
  const product = again.notModified ? read.data : again.data;
  // @ts-expect-error the package's types are real, not \`any\`: a price is a number
  const priceAsText: string = product.variants[0].priceAmount;
  void priceAsText;

  const opened = await openCart({ client, throwOnError: true });
  const cartToken = opened.data.cartToken;
  if (cartToken === undefined) throw new Error('a new guest cart comes with its token');
  const guest = { 'X-Cart-Token': cartToken };
  await addCartLine({ client, path: { id: opened.data.id }, headers: guest, body: { variantId: product.variants[0].id, quantity: 2 }, throwOnError: true });

  const placed = await checkout({
    client,
    headers: { ...guest, 'Idempotency-Key': crypto.randomUUID() },
    body: {
      cartId: opened.data.id,
      email: 'package.guest@example.com',
      shippingAddress: { fullName: 'Pat Guest', line1: 'Hauptstrasse 5', city: 'Berlin', postalCode: '10115', country: 'DE' },
    },
    throwOnError: true,
  });
  const paid = await payOrder({
    client,
    path: { id: placed.data.id },
    headers: { ...guest, 'Idempotency-Key': crypto.randomUUID() },
    body: { provider: 'test', source: 'tok_success' },
    throwOnError: true,
  });
  return { order: paid.data, revalidated: again.notModified };
}
`;

const STOREFRONT_TSCONFIG = {
  compilerOptions: {
    strict: true,
    // The package's declarations are checked too, as this consumer compiles them (TypeScript's own libs are not).
    skipLibCheck: false,
    skipDefaultLibCheck: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    types: [],
    rootDir: 'src',
    outDir: 'dist',
    noEmitOnError: true,
  },
  include: ['src'],
};

const RUN_MJS = `import { buy } from './dist/storefront.js';
console.log(JSON.stringify(await buy(process.argv[2], process.argv[3])));
`;

/** Runs a command; a failure reports both streams (tsc writes its errors to stdout). */
async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(command, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

describe('client package (npm pack, install, tsc, run)', () => {
  let t: TestApp;
  let scratch: string;

  beforeAll(async () => {
    [t, scratch] = await Promise.all([startTestApp({ ADMIN_EMAIL, ADMIN_PASSWORD }), mkdtemp(join(tmpdir(), 'emporium-client-package-'))]);
    const { client } = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD);
    await setShippingRate({ client, path: { country: 'DE', currency: 'EUR' }, body: { amount: 490 }, throwOnError: true });
    await setTaxRate({ client, path: { country: 'DE' }, body: { rateBps: 1900 }, throwOnError: true });
    const location = await createStockLocation({
      client,
      body: { code: 'package-shop', name: 'Package shop', address: { line1: 'Lager 1', city: 'Berlin', postalCode: '10115', country: 'DE' } },
      throwOnError: true,
    });
    const product = await createProduct({
      client,
      body: { slug: 'package-sampler', name: 'Tea sampler', status: 'active', variants: [{ sku: 'SAMPLER-1', priceAmount: 1250, currency: 'EUR', options: {} }] },
      throwOnError: true,
    });
    await receiveStock({ client, body: { variantId: product.data.variants[0].id, locationId: location.data.id, quantity: 5 }, throwOnError: true });
  });

  afterAll(async () => {
    await t?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('packs with dist/, installs with its zod peer, type-checks a strict storefront against it and buys through it', async () => {
    const packed = join(scratch, 'packed');
    await mkdir(packed);
    await run('npm', ['pack', '--pack-destination', packed], CLIENT_DIR);
    const [tarball] = (await readdir(packed)).filter((name) => name.endsWith('.tgz'));
    expect(tarball).toMatch(/^emporium-client-[\d.]+\.tgz$/);

    const shop = join(scratch, 'shop');
    await mkdir(join(shop, 'src'), { recursive: true });
    await writeFile(join(shop, 'package.json'), JSON.stringify({ name: 'storefront', private: true, type: 'module' }));
    await writeFile(join(shop, 'tsconfig.json'), JSON.stringify(STOREFRONT_TSCONFIG));
    await writeFile(join(shop, 'src/storefront.ts'), STOREFRONT_TS);
    await writeFile(join(shop, 'run.mjs'), RUN_MJS);
    await run('npm', ['install', join(packed, tarball), '--no-audit', '--no-fund', '--prefer-offline'], shop);
    const installed = join(shop, 'node_modules/@emporium/client');
    expect((await readdir(installed)).sort()).toEqual(['README.md', 'dist', 'package.json']);
    expect(await readdir(join(installed, 'dist'))).toEqual(expect.arrayContaining(['index.js', 'index.d.ts']));
    expect(await readdir(join(shop, 'node_modules'))).toContain('zod');
    await run(process.execPath, [TSC, '-p', 'tsconfig.json'], shop);

    const purchase = JSON.parse(await run(process.execPath, ['run.mjs', t.baseUrl, 'sampler'], shop));
    expect(purchase).toMatchObject({
      revalidated: true,
      order: { status: 'paid', email: 'package.guest@example.com', subtotalAmount: 2500, shippingAmount: 490, lines: [{ sku: 'SAMPLER-1', quantity: 2 }] },
    });
    expect(purchase.order.paidAmount).toBe(purchase.order.totalAmount);

    const staff = await signedInAs(t, ADMIN_EMAIL, ADMIN_PASSWORD);
    const order = await getOrder({ client: staff.client, path: { id: purchase.order.id }, throwOnError: true });
    expect(order.data.status).toBe('paid');
  }, 120_000); // about 20 s alone (pack, install, tsc); room for a loaded CI machine
});
