/**
 * Every example in the OpenAPI document is a request the server accepts, so that Swagger UI's
 * "Try it out" works out of the box. For each operation with parameters or a request body, the
 * documented example is sent and must be answered 2xx (or 304 to a conditional read):
 *
 * - each parameter as Swagger UI fills it in (its first named example, its example, its schema's
 *   example or default);
 * - the body of each media type: every named example, or without one the body Swagger UI composes
 *   from the schema's property examples.
 *
 * Values a client can only get from the server are replaced by real ones, of resources made for
 * the operation in the state it needs: ids (every `format: uuid` value must be replaced, the test
 * fails otherwise), a product's slug, ETags for If-Match, guest cart tokens, refresh tokens and
 * webhook signatures. Everything else is sent as documented. Seeding resources with the example
 * ids instead would only prove the examples in a database no Swagger UI user has; this way a user
 * who puts in ids of their own gets the answer the test got. The examples are sent in document
 * order into one database, so their unique values (emails, slugs, SKUs, codes) must not collide.
 *
 * The caller is the one the operation is for: an admin for guarded operations, a customer for
 * those only needing account:read, nobody for public ones, unless the operation's setup below
 * makes it a guest (X-Cart-Token) or a customer.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role, ROLE_PERMISSIONS } from '../src/auth/permissions';
import { buildOpenApiDocument } from '../src/openapi/openapi';
import { signTestWebhook } from '../src/payments/providers/webhook-signature';
import { ADDRESS, checkout, customerCart, expectStatus, guestCart, pay, setRates, setUpStaff, Staff, stockedProduct, StockedVariant } from './support/commerce';
import { signIn, signUp, SignedInUser } from './support/factories';
import {
  documentedOperations,
  DocumentedOperation,
  flatSchema,
  Json,
  mediaExamples,
  parameterExample,
  schemaExample,
} from './support/openapi-document';
import { ApiResponse, startTestApp, TestApp } from './support/test-app';

const WEBHOOK_SECRET = 'openapi-examples-webhook-secret';
/** The example shipping address is in Great Britain; checkout needs rates there in the catalog's currency. */
const EXAMPLE_COUNTRY = 'GB';

/** What an operation's setup puts in place of documented values; see the file comment. */
interface Substitutes {
  /** The caller's bearer token, when not the one the operation is for (see defaultToken). */
  token?: string;
  path?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Merged into the body example: objects member by member, anything else replaced. */
  body?: Json;
  /** Files of a multipart body, by field name. */
  files?: Record<string, Blob>;
  /** Headers computed from the exact JSON body sent (a webhook's signature). */
  signedHeaders?: (body: string) => Record<string, string>;
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A documented value as it goes into a URL, a header or a form field. */
const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function merged(example: unknown, substitutes: unknown): unknown {
  if (!isObject(example) || !isObject(substitutes)) return substitutes === undefined ? example : substitutes;
  const result: Json = { ...example };
  for (const [key, value] of Object.entries(substitutes)) result[key] = merged(example[key], value);
  return result;
}

describe('OpenAPI examples', () => {
  let t: TestApp;
  let document: OpenAPIObject;
  let storageDir: string;
  let staff: Staff;
  let admin: SignedInUser;
  let customer: SignedInUser;

  beforeAll(async () => {
    storageDir = mkdtempSync(join(tmpdir(), 'emporium-examples-'));
    t = await startTestApp({ STORAGE_LOCAL_DIR: storageDir, PAYMENTS_TEST_WEBHOOK_SECRET: WEBHOOK_SECRET });
    staff = await setUpStaff(t);
    await setRates(t, staff.accessToken, EXAMPLE_COUNTRY, 'EUR', 495, 2000);
    admin = await signUp(t, [Role.Admin]);
    customer = await signUp(t);
    document = buildOpenApiDocument(t.app);
  });
  afterAll(async () => {
    await t.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  // ---- resources in the states the examples need ------------------------------------------------

  const must = async (response: Promise<ApiResponse>, status: number, what: string): Promise<ApiResponse> => {
    const answered = await response;
    expectStatus(answered, status, what);
    return answered;
  };
  const unique = () => randomBytes(4).toString('hex');

  const newCategory = async (): Promise<string> =>
    (await must(t.request('POST', '/v1/categories', { token: staff.accessToken, body: { name: 'Fixture', slug: `fixture-${unique()}` } }), 201, 'create category')).body.id;
  const stocked = async (): Promise<StockedVariant> => (await stockedProduct(t, staff, 10))[0];
  const etag = async (path: string): Promise<string> => (await must(t.request('GET', path, { token: admin.accessToken }), 200, `read ${path}`)).headers.get('etag')!;
  const productWithEtag = async () => {
    const { productId, variantId } = await stocked();
    return { productId, variantId, ifMatch: { 'If-Match': await etag(`/v1/products/${productId}`) } };
  };
  const imageOf = async (productId: string): Promise<string> => {
    const form = new FormData();
    form.append('file', await jpeg(), 'fixture.jpg');
    return (await must(t.request('POST', `/v1/products/${productId}/images`, { token: staff.accessToken, formData: form }), 201, 'upload image')).body.id;
  };
  const inExampleCountry = { ...ADDRESS, country: EXAMPLE_COUNTRY };
  const addressOfCustomer = async (): Promise<string> =>
    (await must(t.request('POST', '/v1/me/addresses', { token: customer.accessToken, body: inExampleCountry }), 201, 'create address')).body.id;
  const guestWithLine = async () => {
    const cart = await guestCart(t, [{ variantId: (await stocked()).variantId, quantity: 1 }]);
    const read = await must(t.request('GET', `/v1/carts/${cart.id}`, { headers: cart.headers }), 200, 'read cart');
    return { cart, lineId: read.body.lines[0].id as string, asGuest: { headers: { 'X-Cart-Token': cart.token! } } };
  };
  const pendingOrder = async () => {
    const { cart, asGuest } = await guestWithLine();
    // Shipped to the example country: the examples of the rate operations delete the rates of setUpStaff's.
    const order = (await must(checkout(t, cart, { address: inExampleCountry }), 201, 'check out')).body;
    return { cart, asGuest, order: order as { id: string; totalAmount: number; currency: string } };
  };
  const orderIn = async (...steps: ('fulfil' | 'ship')[]) => {
    const { cart, order } = await pendingOrder();
    await must(pay(t, cart, order.id), 201, 'pay');
    for (const step of steps) await must(t.request('POST', `/v1/orders/${order.id}/${step}`, { token: admin.accessToken }), 200, step);
    return order.id;
  };

  /** Per operation with parameters or a body: the resources its example (by name, when it has several) refers to, made fresh. */
  const setups: Record<string, (example?: string) => Substitutes | Promise<Substitutes>> = {
    register: () => ({}),
    login: () => ({}),
    refreshTokens: async () => ({ body: { refreshToken: (await signIn(t, customer.email)).refreshToken } }),
    logout: async () => ({ body: { refreshToken: (await signIn(t, customer.email)).refreshToken } }),

    listUsers: () => ({}),
    getUser: () => ({ path: { id: customer.id } }),
    setUserRoles: async () => {
      const user = await signUp(t);
      return { path: { id: user.id }, headers: { 'If-Match': await etag(`/v1/users/${user.id}`) } };
    },

    listCategories: () => ({}),
    createCategory: async () => ({ body: { parentId: await newCategory() } }),
    getCategory: async () => ({ path: { id: await newCategory() } }),
    updateCategory: async () => {
      const id = await newCategory();
      return { path: { id }, headers: { 'If-Match': await etag(`/v1/categories/${id}`) }, body: { parentId: await newCategory() } };
    },

    listProducts: async () => ({ query: { categoryId: await newCategory() } }),
    createProduct: async () => ({ body: { categoryIds: [await newCategory()] } }),
    getProductBySlug: async () => {
      const { productId } = await stocked();
      const product = await must(t.request('GET', `/v1/products/${productId}`), 200, 'read product');
      return { path: { slug: product.body.slug } };
    },
    getProduct: async () => ({ path: { id: (await stocked()).productId } }),
    updateProduct: async () => {
      const { productId, ifMatch } = await productWithEtag();
      return { path: { id: productId }, headers: ifMatch, body: { categoryIds: [await newCategory()] } };
    },
    archiveProduct: async () => {
      const { productId, ifMatch } = await productWithEtag();
      return { path: { id: productId }, headers: ifMatch };
    },
    restoreProduct: async () => {
      const { productId } = await stocked();
      await must(t.request('POST', `/v1/products/${productId}/archive`, { token: admin.accessToken }), 200, 'archive');
      return { path: { id: productId }, headers: { 'If-Match': await etag(`/v1/products/${productId}`) } };
    },
    addVariant: async () => {
      const { productId, ifMatch } = await productWithEtag();
      return { path: { id: productId }, headers: ifMatch };
    },
    updateVariant: async () => {
      const { productId, variantId, ifMatch } = await productWithEtag();
      return { path: { id: productId, variantId }, headers: ifMatch };
    },
    listProductImages: async () => ({ path: { id: (await stocked()).productId } }),
    uploadProductImage: async () => ({ path: { id: (await stocked()).productId }, files: { file: await jpeg() } }),
    updateProductImage: async () => {
      const { productId } = await stocked();
      return { path: { id: productId, imageId: await imageOf(productId) } };
    },
    deleteProductImage: async () => {
      const { productId } = await stocked();
      return { path: { id: productId, imageId: await imageOf(productId) } };
    },
    getProductImageFile: async () => {
      const { productId } = await stocked();
      return { path: { productId, imageId: await imageOf(productId) } };
    },

    putProfile: () => ({}),
    listAddresses: () => ({}),
    createAddress: () => ({}),
    getAddress: async () => ({ path: { id: await addressOfCustomer() } }),
    updateAddress: async () => ({ path: { id: await addressOfCustomer() } }),
    deleteAddress: async () => ({ path: { id: await addressOfCustomer() } }),

    openCart: () => ({}),
    getCart: async () => {
      const { cart, asGuest } = await guestWithLine();
      return { ...asGuest, path: { id: cart.id } };
    },
    addCartLine: async () => {
      const { cart, asGuest } = await guestWithLine();
      return { ...asGuest, path: { id: cart.id }, body: { variantId: (await stocked()).variantId } };
    },
    changeCartLine: async () => {
      const { cart, lineId, asGuest } = await guestWithLine();
      return { ...asGuest, path: { id: cart.id, lineId } };
    },
    removeCartLine: async () => {
      const { cart, lineId, asGuest } = await guestWithLine();
      return { ...asGuest, path: { id: cart.id, lineId } };
    },

    // The rates of the example country and currency exist (setUpStaff); they are deleted last, in document order.
    listShippingRates: () => ({}),
    getShippingRate: () => ({}),
    setShippingRate: () => ({}),
    deleteShippingRate: () => ({}),
    listTaxRates: () => ({}),
    getTaxRate: () => ({}),
    setTaxRate: () => ({}),
    deleteTaxRate: () => ({}),

    listStockLocations: () => ({}),
    createStockLocation: () => ({}),
    getStockLocation: () => ({ path: { id: staff.locationId } }),
    updateStockLocation: async () => {
      const created = await must(
        t.request('POST', '/v1/stock-locations', {
          token: admin.accessToken,
          body: { code: `loc-${unique()}`, name: 'Fixture', address: { line1: 'Hof 1', city: 'Berlin', postalCode: '10115', country: 'DE' } },
        }),
        201,
        'create location',
      );
      return { path: { id: created.body.id } };
    },
    receiveStock: async () => ({ body: { variantId: (await stocked()).variantId, locationId: staff.locationId } }),
    adjustStock: async () => ({ body: { variantId: (await stocked()).variantId, locationId: staff.locationId } }),
    setLowStockThreshold: async () => ({ path: { variantId: (await stocked()).variantId } }),
    getVariantStock: async () => ({ path: { variantId: (await stocked()).variantId } }),
    listStockMovements: async () => ({ query: { variantId: (await stocked()).variantId, locationId: staff.locationId } }),
    getVariantAvailability: async () => ({ path: { variantId: (await stocked()).variantId } }),

    checkout: async (example) => {
      if (example === 'savedAddress') {
        const cart = await customerCart(t, customer, [{ variantId: (await stocked()).variantId, quantity: 1 }]);
        return { token: customer.accessToken, body: { cartId: cart.id, shippingAddressId: await addressOfCustomer() } };
      }
      const { cart, asGuest } = await guestWithLine();
      return { ...asGuest, body: { cartId: cart.id } };
    },
    listMyOrders: () => ({}),
    listOrders: () => ({ query: { userId: customer.id } }),
    getOrder: async () => {
      const { order, asGuest } = await pendingOrder();
      return { ...asGuest, path: { id: order.id } };
    },
    cancelOrder: async () => {
      const { order, asGuest } = await pendingOrder();
      return { ...asGuest, path: { id: order.id } };
    },
    fulfilOrder: async () => ({ path: { id: await orderIn() } }),
    shipOrder: async () => ({ path: { id: await orderIn('fulfil') } }),
    deliverOrder: async () => ({ path: { id: await orderIn('fulfil', 'ship') } }),
    payOrder: async () => {
      const { order, asGuest } = await pendingOrder();
      return { ...asGuest, path: { id: order.id } };
    },
    refundOrder: async () => ({ path: { id: await orderIn() } }),
    receivePaymentWebhook: async () => {
      const { order } = await pendingOrder();
      return {
        body: { data: { orderId: order.id, amount: order.totalAmount, currency: order.currency } },
        signedHeaders: (body) => ({ 'Emporium-Signature': signTestWebhook(body, WEBHOOK_SECRET) }),
      };
    },
  };

  /** The caller an operation is for, unless its setup says otherwise. */
  function defaultToken(operation: DocumentedOperation): string | undefined {
    const permissions = operation.operation['x-required-permissions'] as string[] | undefined;
    if (!permissions) return undefined;
    const customerMay = permissions.every((permission) => (ROLE_PERMISSIONS[Role.Customer] as readonly string[]).includes(permission));
    return customerMay ? customer.accessToken : admin.accessToken;
  }

  /** Ids (`format: uuid`) of the example still sent as documented: the setup did not give real ones. */
  function exampleIdsLeft(schema: unknown, example: unknown, sent: unknown, at: string): string[] {
    const flat = flatSchema(document, schema);
    if (flat.format === 'uuid' && example !== undefined && sent === example) return [at];
    if (Array.isArray(example) && Array.isArray(sent)) return example.flatMap((item, i) => exampleIdsLeft(flat.items, item, sent[i], `${at}[${i}]`));
    if (isObject(example) && isObject(sent) && isObject(flat.properties)) {
      return Object.entries(flat.properties).flatMap(([name, property]) => exampleIdsLeft(property, example[name], sent[name], at ? `${at}.${name}` : name));
    }
    return [];
  }

  /** Sends one example of an operation; a description of what went wrong, or undefined when the server accepted it. */
  async function sendExample(operation: DocumentedOperation, mediaType: string | undefined, bodyExample: unknown, substitutes: Substitutes): Promise<string | undefined> {
    const problems: string[] = [];
    let path = operation.path;
    const query = new URLSearchParams();
    const headers: Record<string, string> = {};
    for (const parameter of operation.parameters) {
      const example = parameterExample(document, parameter);
      const given = { path: substitutes.path, query: substitutes.query, header: substitutes.headers, cookie: undefined }[parameter.in]?.[parameter.name];
      const value = given ?? example;
      problems.push(...exampleIdsLeft(parameter.schema, example, value, parameter.name));
      if (value === undefined) continue;
      if (parameter.in === 'path') path = path.replace(`{${parameter.name}}`, encodeURIComponent(asText(value)));
      else if (parameter.in === 'query') for (const item of Array.isArray(value) ? value : [value]) query.append(parameter.name, asText(item));
      else if (parameter.in === 'header') headers[parameter.name] = asText(value);
    }
    const url = query.size > 0 ? `${path}?${query.toString()}` : path;
    let body: unknown;
    let formData: FormData | undefined;
    if (mediaType === 'multipart/form-data') {
      formData = new FormData();
      for (const [field, value] of Object.entries(bodyExample as Json)) {
        const file = substitutes.files?.[field];
        if (file) formData.append(field, file, `${field}.jpg`);
        else formData.append(field, asText(value));
      }
    } else if (mediaType !== undefined) {
      body = merged(bodyExample, substitutes.body);
      problems.push(...exampleIdsLeft(operation.requestBody![mediaType].schema, bodyExample, body, ''));
      Object.assign(headers, substitutes.signedHeaders?.(JSON.stringify(body)));
    }
    if (problems.length > 0) return `example ids sent as documented (give real ones in the setup): ${problems.join(', ')}`;

    const token = substitutes.token ?? defaultToken(operation);
    const response = await t.request(operation.method, url, { token, headers, body, formData });
    const accepted = (response.status >= 200 && response.status < 300) || (response.status === 304 && 'If-None-Match' in headers);
    return accepted ? undefined : `${operation.method} ${url} -> ${response.status} ${JSON.stringify(response.body)}`;
  }

  it('sends every documented example request and gets it accepted', { timeout: 300_000 }, async () => {
    const failures: string[] = [];
    const withInput = documentedOperations(document).filter((operation) => operation.parameters.length > 0 || operation.requestBody);
    expect(withInput.length).toBeGreaterThan(50);
    for (const operation of withInput) {
      const setup = setups[operation.operationId];
      if (!setup) {
        failures.push(`${operation.operationId}: no setup in this test; add one naming the resources its example refers to`);
        continue;
      }
      const bodies: [mediaType: string | undefined, name: string | undefined, example: unknown][] = operation.requestBody
        ? Object.entries(operation.requestBody).flatMap(([mediaType, media]) => {
            const named = Object.entries(mediaExamples(document, media));
            const examples = named.length > 0 ? named : [[undefined, schemaExample(document, media.schema)] as const];
            return examples.map(([name, example]): [string, string | undefined, unknown] => [mediaType, name, example]);
          })
        : [[undefined, undefined, undefined]];
      for (const [mediaType, name, example] of bodies) {
        const failure = await sendExample(operation, mediaType, example, await setup(name));
        if (failure) failures.push(`${operation.operationId}${name ? ` (${name})` : ''}: ${failure}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

/** A JPEG wide enough to get every rendition (the documented example file is `w640.webp`). */
async function jpeg(): Promise<Blob> {
  const bytes = await sharp({ create: { width: 1400, height: 900, channels: 3, background: { r: 200, g: 40, b: 40 } } }).jpeg().toBuffer();
  return new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' });
}
