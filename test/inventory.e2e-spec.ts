import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DataSource, EntityManager } from 'typeorm';
import { Role } from '../src/auth/permissions';
import { ConflictError } from '../src/common/problem/app-error';
import { TransactionService } from '../src/database/transaction.service';
import { StockLocation } from '../src/inventory/entities/stock-location.entity';
import { OutOfStockError } from '../src/inventory/inventory.errors';
import { Allocation, InventoryService, StockLine } from '../src/inventory/inventory.service';
import { DEMO_LOCATION_CODE, DEMO_STOCK_QUANTITY } from '../src/inventory/inventory.seeder';
import { invalidFields, signUp, SignedInUser } from './support/factories';
import { LogCapture } from './support/log-capture';
import { expectProblem } from './support/problem';
import { startTestApp, TestApp } from './support/test-app';

const METRICS_TOKEN = 'scraper-token-0123456789abcdef';
const UNKNOWN = '0193f2a4-7b3c-7000-8000-000000000000';
let sequence = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;
const address = { line1: 'Lagerstraße 12', city: 'Berlin', postalCode: '10115', country: 'DE' };

interface Variant { id: string; sku: string }

describe('inventory', () => {
  let t: TestApp;
  let logs: LogCapture;
  let manager: SignedInUser;
  let support: SignedInUser;
  let customer: SignedInUser;

  beforeAll(async () => {
    logs = new LogCapture();
    t = await startTestApp({ LOG_LEVEL: 'warn', METRICS_TOKEN }, { logDestination: logs });
    manager = await signUp(t, [Role.Manager]);
    support = await signUp(t, [Role.Support]);
    customer = await signUp(t);
  });
  afterAll(() => t.close());

  const as = (user: SignedInUser) => ({ token: user.accessToken });
  const createProduct = async (variants = 1, status = 'active'): Promise<{ productId: string; variants: Variant[] }> => {
    const response = await t.request('POST', '/v1/products', {
      ...as(manager),
      body: {
        slug: unique('product'),
        name: 'Stocked thing',
        status,
        variants: Array.from({ length: variants }, () => ({ sku: unique('SKU').toUpperCase(), priceAmount: 1000, currency: 'EUR' })),
      },
    });
    expect(response.status).toBe(201);
    return { productId: response.body.id, variants: response.body.variants.map((v: Variant) => ({ id: v.id, sku: v.sku })) };
  };
  const createVariant = async (): Promise<Variant> => (await createProduct()).variants[0];
  const createLocation = async (body: Record<string, unknown> = {}): Promise<{ id: string; code: string }> => {
    const response = await t.request('POST', '/v1/stock-locations', { ...as(manager), body: { code: unique('loc'), name: 'Warehouse', address, ...body } });
    expect(response.status).toBe(201);
    return response.body;
  };
  const receive = async (variantId: string, locationId: string, quantity: number) => {
    const response = await t.request('POST', '/v1/inventory/receipts', { ...as(manager), body: { variantId, locationId, quantity } });
    expect(response.status).toBe(200);
    return response.body;
  };
  const adjust = (variantId: string, locationId: string, delta: number, reason = 'Stock count') =>
    t.request('POST', '/v1/inventory/adjustments', { ...as(manager), body: { variantId, locationId, delta, reason } });
  const stockOf = async (variantId: string) => {
    const response = await t.request('GET', `/v1/inventory/variants/${variantId}`, as(support));
    expect(response.status).toBe(200);
    return response.body;
  };
  const run = <T>(work: (manager: EntityManager) => Promise<T>) => t.get(TransactionService).run(work);
  const ref = { orderId: null, actorId: null };

  /** Per (variant, location): the ledger sums and the level, which must agree. */
  const ledgerMismatches = async () => {
    const rows: Array<Record<string, unknown>> = await t.get(DataSource).query(
      `SELECT l.variant_id AS v, l.location_id AS l, l.on_hand AS onHand, l.reserved AS reserved,
              COALESCE((SELECT SUM(m.on_hand_delta) FROM stock_movements m WHERE m.variant_id = l.variant_id AND m.location_id = l.location_id), 0) AS onHandSum,
              COALESCE((SELECT SUM(m.reserved_delta) FROM stock_movements m WHERE m.variant_id = l.variant_id AND m.location_id = l.location_id), 0) AS reservedSum
         FROM stock_levels l`,
    );
    const orphans: Array<Record<string, unknown>> = await t.get(DataSource).query(
      `SELECT m.variant_id FROM stock_movements m LEFT JOIN stock_levels l ON l.variant_id = m.variant_id AND l.location_id = m.location_id WHERE l.variant_id IS NULL`,
    );
    const bad = rows.filter(
      (row) =>
        Number(row.onHand) !== Number(row.onHandSum) ||
        Number(row.reserved) !== Number(row.reservedSum) ||
        Number(row.reserved) < 0 ||
        Number(row.onHand) < Number(row.reserved),
    );
    return { levels: rows.length, bad, orphans: orphans.length };
  };

  describe('stock locations', () => {
    it('creates (201 + Location), lists in priority order, and changes a location', async () => {
      const created = await t.request('POST', '/v1/stock-locations', {
        ...as(manager),
        body: { code: unique('berlin'), name: 'Berlin', address, latitude: 52.531, longitude: 13.3849, priority: 500 },
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`/v1/stock-locations/${created.body.id}`);
      expect(created.body).toMatchObject({ name: 'Berlin', address, latitude: 52.531, longitude: 13.3849, priority: 500, active: true });
      const read = await t.request('GET', created.headers.get('location')!, as(support));
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);
      const early = await createLocation({ priority: 499 });

      const list = await t.request('GET', '/v1/stock-locations?limit=100', as(support));
      expect(list.status).toBe(200);
      const ids = list.body.data.map((l: { id: string }) => l.id);
      expect(ids.indexOf(early.id)).toBe(ids.indexOf(created.body.id) - 1);
      const page = await t.request('GET', '/v1/stock-locations?limit=1', as(support));
      const next = await t.request('GET', `/v1/stock-locations?limit=1&cursor=${page.body.nextCursor}`, as(support));
      expect(next.body.data[0].id).not.toBe(page.body.data[0].id);

      const changed = await t.request('PATCH', `/v1/stock-locations/${created.body.id}`, {
        ...as(manager),
        body: { name: 'Berlin central', active: false, latitude: null, longitude: null, address: { ...address, country: 'AT' } },
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ name: 'Berlin central', active: false, latitude: null, longitude: null, address: { country: 'AT' } });
    });

    it('answers 409 for a taken code, 422 for half coordinates, 400 for bad fields, 404 for an unknown id', async () => {
      const first = await createLocation();
      const second = await createLocation();
      expectProblem(await t.request('POST', '/v1/stock-locations', { ...as(manager), body: { code: first.code, name: 'Dup', address } }), 409);
      expectProblem(await t.request('PATCH', `/v1/stock-locations/${second.id}`, { ...as(manager), body: { code: first.code } }), 409);
      expectProblem(await t.request('POST', '/v1/stock-locations', { ...as(manager), body: { code: unique('x'), name: 'X', address, latitude: 10 } }), 422);
      expectProblem(await t.request('PATCH', `/v1/stock-locations/${second.id}`, { ...as(manager), body: { longitude: 10 } }), 422);
      const invalid = await t.request('POST', '/v1/stock-locations', {
        ...as(manager),
        body: { code: 'Not A Code', name: ' ', address: { ...address, country: 'XX' }, latitude: 91, priority: 1.5, extra: 1 },
      });
      expectProblem(invalid, 400);
      expect(invalidFields(invalid)).toEqual(['address.country', 'code', 'extra', 'latitude', 'name', 'priority']);
      expectProblem(await t.request('PATCH', `/v1/stock-locations/${UNKNOWN}`, { ...as(manager), body: { name: 'X' } }), 404);
      expectProblem(await t.request('PATCH', '/v1/stock-locations/not-a-uuid', { ...as(manager), body: { name: 'X' } }), 404);
      expectProblem(await t.request('GET', `/v1/stock-locations/${UNKNOWN}`, as(support)), 404);
    });
  });

  describe('receipts, adjustments, thresholds and availability', () => {
    it('receives and adjusts stock, shows it per location and as availability, and lists the ledger', async () => {
      const variant = await createVariant();
      const a = await createLocation({ priority: 1 });
      const b = await createLocation({ priority: 2 });
      const level = await receive(variant.id, a.id, 10);
      expect(level).toMatchObject({ variantId: variant.id, sku: variant.sku, locationId: a.id, locationCode: a.code, onHand: 10, reserved: 0, available: 10 });
      await receive(variant.id, a.id, 5);
      await receive(variant.id, b.id, 7);
      const adjusted = await adjust(variant.id, a.id, -3, 'Damaged');
      expect(adjusted.status).toBe(200);
      expect(adjusted.body).toMatchObject({ onHand: 12, available: 12 });
      // A positive adjustment creates a level that did not exist.
      const c = await createLocation({ priority: 3 });
      expect((await adjust(variant.id, c.id, 4, 'Found in the back')).body).toMatchObject({ onHand: 4, locationId: c.id });

      const stock = await stockOf(variant.id);
      expect(stock).toMatchObject({ variantId: variant.id, sku: variant.sku, totals: { onHand: 23, reserved: 0, available: 23 }, sellable: 12, lowStockThreshold: null, lowStock: false });
      expect(stock.levels.map((l: { locationId: string }) => l.locationId)).toEqual([a.id, b.id, c.id]);

      // What one order can take: a line is reserved from one location, so the most at any one (12 at a), not the sum.
      const available = await t.request('GET', `/v1/variants/${variant.id}/availability`);
      expect(available.status).toBe(200);
      expect(available.body).toEqual({ variantId: variant.id, sku: variant.sku, available: 12, inStock: true });

      // An inactive location keeps its stock but does not count as available.
      await t.request('PATCH', `/v1/stock-locations/${a.id}`, { ...as(manager), body: { active: false } });
      expect((await t.request('GET', `/v1/variants/${variant.id}/availability`)).body.available).toBe(7);
      expect(await stockOf(variant.id)).toMatchObject({ totals: { onHand: 23, reserved: 0, available: 11 }, sellable: 7 });

      const movements = await t.request('GET', `/v1/inventory/movements?variantId=${variant.id}&limit=100`, as(support));
      expect(movements.status).toBe(200);
      expect(movements.body.data.map((m: { kind: string; onHandDelta: number }) => [m.kind, m.onHandDelta])).toEqual([
        ['adjusted', 4],
        ['adjusted', -3],
        ['received', 7],
        ['received', 5],
        ['received', 10],
      ]);
      expect(movements.body.data[1]).toMatchObject({ reason: 'Damaged', actorId: manager.id, orderId: null, locationId: a.id, reservedDelta: 0 });
      const atB = await t.request('GET', `/v1/inventory/movements?variantId=${variant.id}&locationId=${b.id}`, as(support));
      expect(atB.body.data).toHaveLength(1);
      const adjustedOnly = await t.request('GET', `/v1/inventory/movements?variantId=${variant.id}&kind=adjusted`, as(support));
      expect(adjustedOnly.body.data).toHaveLength(2);

      const first = await t.request('GET', `/v1/inventory/movements?variantId=${variant.id}&limit=2`, as(support));
      expect(first.body.data).toHaveLength(2);
      expect(first.headers.get('link')).toContain('rel="next"');
      const rest = await t.request('GET', `/v1/inventory/movements?variantId=${variant.id}&limit=10&cursor=${first.body.nextCursor}`, as(support));
      expect(rest.body.data).toHaveLength(3);
      expect(rest.body.nextCursor).toBeNull();
    });

    it('sets and clears the low-stock threshold', async () => {
      const variant = await createVariant();
      const location = await createLocation();
      await receive(variant.id, location.id, 3);
      const set = await t.request('PUT', `/v1/inventory/variants/${variant.id}/threshold`, { ...as(manager), body: { lowStockThreshold: 5 } });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ lowStockThreshold: 5, lowStock: true, totals: { available: 3 } });
      const changed = await t.request('PUT', `/v1/inventory/variants/${variant.id}/threshold`, { ...as(manager), body: { lowStockThreshold: 2 } });
      expect(changed.body).toMatchObject({ lowStockThreshold: 2, lowStock: false });
      const cleared = await t.request('PUT', `/v1/inventory/variants/${variant.id}/threshold`, { ...as(manager), body: { lowStockThreshold: null } });
      expect(cleared.body).toMatchObject({ lowStockThreshold: null, lowStock: false });
      expect((await stockOf(variant.id)).lowStockThreshold).toBeNull();
    });

    it('raises the low-stock event: a warning log line, tied to the request and the user, and the inventory_low_stock_events_total counter', async () => {
      const counter = async () => {
        const response = await t.request('GET', '/metrics', { token: METRICS_TOKEN });
        expect(response.status).toBe(200);
        const match = /^inventory_low_stock_events_total (\d+)/m.exec(response.body as string);
        return Number(match?.[1] ?? 0);
      };
      const variant = await createVariant();
      const location = await createLocation();
      await receive(variant.id, location.id, 10);
      await t.request('PUT', `/v1/inventory/variants/${variant.id}/threshold`, { ...as(manager), body: { lowStockThreshold: 4 } });
      const before = await counter();
      expect((await adjust(variant.id, location.id, -5)).status).toBe(200); // 5 left: not low
      expect(await counter()).toBe(before);
      const low = await adjust(variant.id, location.id, -1); // 4 left: low
      expect(low.status).toBe(200);
      expect(await counter()).toBe(before + 1);
      await vi.waitFor(() =>
        expect(logs.lines.find((line) => line.event === 'inventory.low-stock' && line.sku === variant.sku)).toMatchObject({
          level: 'warn',
          variantId: variant.id,
          available: 4,
          threshold: 4,
          requestId: low.headers.get('x-request-id'),
          userId: manager.id,
        }),
      );
    });

    it('answers 404 for the availability of unknown variants and of variants of draft or archived products', async () => {
      expectProblem(await t.request('GET', `/v1/variants/${UNKNOWN}/availability`), 404);
      expectProblem(await t.request('GET', '/v1/variants/not-a-uuid/availability'), 404);
      const draft = await createProduct(1, 'draft');
      expectProblem(await t.request('GET', `/v1/variants/${draft.variants[0].id}/availability`), 404);
      const archived = await createProduct();
      expect((await t.request('POST', `/v1/products/${archived.productId}/archive`, as(manager))).status).toBe(200);
      expectProblem(await t.request('GET', `/v1/variants/${archived.variants[0].id}/availability`), 404);
      // Staff still see and stock them.
      expect((await stockOf(draft.variants[0].id)).totals.onHand).toBe(0);
      const fresh = await createVariant();
      expect((await t.request('GET', `/v1/variants/${fresh.id}/availability`)).body).toMatchObject({ available: 0, inStock: false });
    });
  });

  describe('bad input', () => {
    it.each([
      ['zero', 0],
      ['negative', -1],
      ['fractional', 1.5],
      ['above the maximum', 1_000_001],
      ['a string', '5'],
      ['missing', undefined],
    ])('rejects a receipt quantity that is %s (400)', async (_, quantity) => {
      const variant = await createVariant();
      const location = await createLocation();
      const response = await t.request('POST', '/v1/inventory/receipts', { ...as(manager), body: { variantId: variant.id, locationId: location.id, quantity } });
      expectProblem(response, 400);
      expect(invalidFields(response)).toEqual(['quantity']);
    });

    it.each([
      ['zero', 0],
      ['fractional', -0.5],
      ['below the minimum', -1_000_001],
      ['above the maximum', 1_000_001],
    ])('rejects an adjustment delta that is %s (400)', async (_, delta) => {
      const response = await adjust(UNKNOWN, UNKNOWN, delta);
      expectProblem(response, 400);
      expect(invalidFields(response)).toEqual(['delta']);
    });

    it('requires a reason for adjustments and valid ids and thresholds (400)', async () => {
      const noReason = await t.request('POST', '/v1/inventory/adjustments', { ...as(manager), body: { variantId: UNKNOWN, locationId: UNKNOWN, delta: 1 } });
      expect(invalidFields(noReason)).toEqual(['reason']);
      expect(invalidFields(await adjust(UNKNOWN, UNKNOWN, 1, '  '))).toEqual(['reason']);
      expect(invalidFields(await t.request('POST', '/v1/inventory/receipts', { ...as(manager), body: { variantId: 'x', locationId: 7, quantity: 1 } }))).toEqual([
        'locationId',
        'variantId',
      ]);
      for (const lowStockThreshold of [-1, 1.5, '3', undefined]) {
        const response = await t.request('PUT', `/v1/inventory/variants/${UNKNOWN}/threshold`, { ...as(manager), body: { lowStockThreshold } });
        expectProblem(response, 400);
      }
      expectProblem(await t.request('GET', '/v1/inventory/movements?variantId=nope', as(support)), 400);
      expectProblem(await t.request('GET', '/v1/inventory/movements?kind=stolen', as(support)), 400);
      expectProblem(await t.request('GET', '/v1/inventory/movements?cursor=bm9wZQ', as(support)), 400);
    });

    it('answers 404 for unknown variants and locations', async () => {
      const variant = await createVariant();
      const location = await createLocation();
      expectProblem(await t.request('POST', '/v1/inventory/receipts', { ...as(manager), body: { variantId: UNKNOWN, locationId: location.id, quantity: 1 } }), 404);
      expectProblem(await t.request('POST', '/v1/inventory/receipts', { ...as(manager), body: { variantId: variant.id, locationId: UNKNOWN, quantity: 1 } }), 404);
      expectProblem(await adjust(UNKNOWN, location.id, 1), 404);
      expectProblem(await adjust(variant.id, UNKNOWN, -1), 404);
      expectProblem(await t.request('PUT', `/v1/inventory/variants/${UNKNOWN}/threshold`, { ...as(manager), body: { lowStockThreshold: 1 } }), 404);
      expectProblem(await t.request('GET', `/v1/inventory/variants/${UNKNOWN}`, as(support)), 404);
      expectProblem(await t.request('GET', '/v1/inventory/variants/not-a-uuid', as(support)), 404);
      expectProblem(await t.request('GET', `/v1/inventory/movements?variantId=${UNKNOWN}`, as(support)), 404);
      expectProblem(await t.request('GET', `/v1/inventory/movements?locationId=${UNKNOWN}`, as(support)), 404);
    });

    it('refuses (422, naming the SKU) an adjustment below zero or below the reserved units, changing nothing', async () => {
      const variant = await createVariant();
      const location = await createLocation();
      const missing = await adjust(variant.id, location.id, -1);
      expectProblem(missing, 422);
      expect(missing.body.skus).toEqual([variant.sku]);
      await receive(variant.id, location.id, 10);
      await run((m) => t.get(InventoryService).reserve(m, [{ variantId: variant.id, sku: variant.sku, quantity: 4 }], ref));
      const belowReserved = await adjust(variant.id, location.id, -7);
      expectProblem(belowReserved, 422);
      expect(belowReserved.body).toMatchObject({ type: 'urn:emporium:problem:rule-violation', skus: [variant.sku] });
      expect(belowReserved.body.detail).toContain(variant.sku);
      expect((await stockOf(variant.id)).totals).toEqual({ onHand: 10, reserved: 4, available: 6 });
      expect((await adjust(variant.id, location.id, -6)).body).toMatchObject({ onHand: 4, reserved: 4, available: 0 });
    });
  });

  describe('access', () => {
    it('answers 401 to anonymous callers and 403 to customers on staff routes, and lets support read only', async () => {
      const variant = await createVariant();
      const location = await createLocation();
      const writes: Array<[string, string, unknown]> = [
        ['POST', '/v1/stock-locations', { code: unique('c'), name: 'C', address }],
        ['PATCH', `/v1/stock-locations/${location.id}`, { name: 'C' }],
        ['POST', '/v1/inventory/receipts', { variantId: variant.id, locationId: location.id, quantity: 1 }],
        ['POST', '/v1/inventory/adjustments', { variantId: variant.id, locationId: location.id, delta: 1, reason: 'x' }],
        ['PUT', `/v1/inventory/variants/${variant.id}/threshold`, { lowStockThreshold: 1 }],
      ];
      const reads: Array<[string, string, unknown]> = [
        ['GET', '/v1/stock-locations', undefined],
        ['GET', `/v1/stock-locations/${location.id}`, undefined],
        ['GET', `/v1/inventory/variants/${variant.id}`, undefined],
        ['GET', '/v1/inventory/movements', undefined],
      ];
      for (const [method, path, body] of [...writes, ...reads]) {
        expectProblem(await t.request(method, path, { body }), 401);
        const denied = await t.request(method, path, { ...as(customer), body });
        expectProblem(denied, 403);
        expect(denied.body.detail).toMatch(/inventory:(read|write)/);
      }
      for (const [method, path, body] of writes) expectProblem(await t.request(method, path, { ...as(support), body }), 403);
      for (const [method, path] of reads) expect((await t.request(method, path, as(support))).status).toBe(200);
      expect((await t.request('GET', `/v1/variants/${variant.id}/availability`, as(customer))).status).toBe(200);
    });
  });

  describe('concurrency', () => {
    it('50 parallel adjustments of -1 against 20 units: exactly 20 succeed, stock ends at 0, never below', async () => {
      const variant = await createVariant();
      const location = await createLocation();
      await receive(variant.id, location.id, 20);
      const responses = await Promise.all(Array.from({ length: 50 }, () => adjust(variant.id, location.id, -1, 'Shrinkage')));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(20);
      expect(statuses.filter((s) => s === 422)).toHaveLength(30);
      for (const response of responses.filter((r) => r.status === 422)) expect(response.body.skus).toEqual([variant.sku]);
      const onHands = responses.filter((r) => r.status === 200).map((r) => r.body.onHand as number);
      expect(Math.min(...onHands)).toBe(0);
      expect(new Set(onHands).size).toBe(20); // each success saw its own level: 19..0
      expect((await stockOf(variant.id)).totals).toEqual({ onHand: 0, reserved: 0, available: 0 });
      const adjustments = await t.request('GET', `/v1/inventory/movements?variantId=${variant.id}&kind=adjusted&limit=100`, as(support));
      expect(adjustments.body.data).toHaveLength(20);
    });
  });

  describe('InventoryService (inside a caller transaction)', () => {
    const service = () => t.get(InventoryService);

    it('reserves each line from the first active location by priority that has enough, and releases, sells and restocks', async () => {
      const { variants } = await createProduct(2);
      const [x, y] = variants;
      const first = await createLocation({ priority: 10 });
      const second = await createLocation({ priority: 20 });
      const inactive = await createLocation({ priority: 0, active: false });
      await receive(x.id, first.id, 2);
      await receive(x.id, second.id, 10);
      await receive(x.id, inactive.id, 100);
      await receive(y.id, first.id, 5);

      const lines: StockLine[] = [
        { variantId: x.id, sku: x.sku, quantity: 3 }, // first has only 2: from second
        { variantId: y.id, sku: y.sku, quantity: 5 },
      ];
      const allocations = await run((m) => service().reserve(m, lines, { orderId: UNKNOWN, actorId: null }));
      expect(allocations).toEqual([
        { variantId: x.id, locationId: second.id, quantity: 3 },
        { variantId: y.id, locationId: first.id, quantity: 5 },
      ]);
      expect((await stockOf(x.id)).levels.find((l: { locationId: string }) => l.locationId === second.id)).toMatchObject({ onHand: 10, reserved: 3, available: 7 });
      expect((await t.request('GET', `/v1/variants/${y.id}/availability`)).body).toMatchObject({ available: 0, inStock: false });
      const reserved = await t.request('GET', `/v1/inventory/movements?variantId=${x.id}&kind=reserved`, as(support));
      expect(reserved.body.data[0]).toMatchObject({ kind: 'reserved', onHandDelta: 0, reservedDelta: 3, orderId: UNKNOWN, locationId: second.id });

      // Sell y, release x, then return y.
      await run((m) => service().commitSale(m, [allocations[1]], { orderId: UNKNOWN, actorId: null }));
      expect((await stockOf(y.id)).totals).toEqual({ onHand: 0, reserved: 0, available: 0 });
      await run((m) => service().release(m, [allocations[0]], { orderId: UNKNOWN, actorId: null, reason: 'Reservation expired' }));
      expect((await stockOf(x.id)).totals).toEqual({ onHand: 112, reserved: 0, available: 12 });
      await run((m) => service().restock(m, [allocations[1]], { orderId: UNKNOWN, actorId: manager.id, reason: 'Cancelled' }));
      expect((await stockOf(y.id)).totals).toEqual({ onHand: 5, reserved: 0, available: 5 });
      const kinds = await t.request('GET', `/v1/inventory/movements?variantId=${y.id}`, as(support));
      expect(kinds.body.data.map((m: { kind: string; onHandDelta: number; reservedDelta: number }) => [m.kind, m.onHandDelta, m.reservedDelta])).toEqual([
        ['returned', 5, 0],
        ['sold', -5, -5],
        ['reserved', 0, 5],
        ['received', 5, 0],
      ]);
      expect(kinds.body.data[0]).toMatchObject({ reason: 'Cancelled', actorId: manager.id });
    });

    it('reserves nothing at all when any line is short, naming every short SKU', async () => {
      const { variants } = await createProduct(3);
      const [a, b, c] = variants;
      const location = await createLocation();
      await receive(a.id, location.id, 5);
      await receive(b.id, location.id, 1);
      // c has no stock anywhere
      const attempt = run((m) =>
        service().reserve(
          m,
          [
            { variantId: a.id, sku: a.sku, quantity: 5 },
            { variantId: b.id, sku: b.sku, quantity: 2 },
            { variantId: c.id, sku: c.sku, quantity: 1 },
          ],
          ref,
        ),
      );
      await expect(attempt).rejects.toBeInstanceOf(OutOfStockError);
      const error = (await attempt.catch((e: unknown) => e)) as OutOfStockError;
      expect(error.skus).toEqual([b.sku, c.sku].sort());
      expect(error.status).toBe(409);
      expect(error.extensions).toEqual({ skus: [b.sku, c.sku].sort() });
      expect((await stockOf(a.id)).totals).toEqual({ onHand: 5, reserved: 0, available: 5 });
      const movements = await t.request('GET', `/v1/inventory/movements?variantId=${a.id}&kind=reserved`, as(support));
      expect(movements.body.data).toEqual([]);
    });

    it('refuses (409) to release or sell more than is reserved', async () => {
      const variant = await createVariant();
      const location = await createLocation();
      await receive(variant.id, location.id, 5);
      const allocation: Allocation = { variantId: variant.id, locationId: location.id, quantity: 2 };
      await expect(run((m) => service().release(m, [allocation], ref))).rejects.toBeInstanceOf(ConflictError);
      await expect(run((m) => service().commitSale(m, [allocation], ref))).rejects.toBeInstanceOf(ConflictError);
      await run((m) => service().reserve(m, [{ variantId: variant.id, sku: variant.sku, quantity: 2 }], ref));
      await run((m) => service().commitSale(m, [allocation], ref));
      await expect(run((m) => service().commitSale(m, [allocation], ref))).rejects.toBeInstanceOf(ConflictError);
      expect((await stockOf(variant.id)).totals).toEqual({ onHand: 3, reserved: 0, available: 3 });
    });

    it('notifyIfLow emits only for variants at or under a threshold', async () => {
      const low = await createVariant();
      const fine = await createVariant();
      const location = await createLocation();
      await receive(low.id, location.id, 2);
      await receive(fine.id, location.id, 50);
      await t.request('PUT', `/v1/inventory/variants/${low.id}/threshold`, { ...as(manager), body: { lowStockThreshold: 2 } });
      await t.request('PUT', `/v1/inventory/variants/${fine.id}/threshold`, { ...as(manager), body: { lowStockThreshold: 2 } });
      const seen: string[] = [];
      const before = logs.lines.length;
      await service().notifyIfLow([low.id, fine.id, UNKNOWN]);
      for (const line of logs.lines.slice(before)) if (line.event === 'inventory.low-stock') seen.push(line.sku as string);
      expect(seen).toEqual([low.sku]);
    });
  });

  it('keeps ledger sums equal to the levels after all of the above', async () => {
    const { levels, bad, orphans } = await ledgerMismatches();
    expect(levels).toBeGreaterThan(10);
    expect(bad).toEqual([]);
    expect(orphans).toBe(0);
  });
});

describe('quick-start demo stock (SEED_DEMO_DATA)', () => {
  it('creates the location "main" with 100 units of every demo variant after the demo catalog', async () => {
    const t = await startTestApp({ SEED_DEMO_DATA: 'true' });
    try {
      const locations = await t.get(DataSource).createQueryBuilder(StockLocation, 'loc').select(['loc.code']).getMany();
      expect(locations.map((l) => l.code)).toEqual([DEMO_LOCATION_CODE]);
      const [{ variants, levels, wrong }] = await t.get(DataSource).query(
        `SELECT (SELECT COUNT(*) FROM product_variants) AS variants, (SELECT COUNT(*) FROM stock_levels) AS levels,
                (SELECT COUNT(*) FROM stock_levels WHERE on_hand <> ${DEMO_STOCK_QUANTITY} OR reserved <> 0) AS wrong`,
      );
      expect(Number(variants)).toBeGreaterThan(50);
      expect(Number(levels)).toBe(Number(variants));
      expect(Number(wrong)).toBe(0);
      const product = (await t.request('GET', '/v1/products?limit=1')).body.data[0];
      const availability = await t.request('GET', `/v1/variants/${product.variants[0].id}/availability`);
      expect(availability.body).toMatchObject({ available: DEMO_STOCK_QUANTITY, inStock: true });
    } finally {
      await t.close();
    }
  });
});
