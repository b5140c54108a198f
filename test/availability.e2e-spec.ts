/**
 * The public availability of a variant is what checkout can sell: checkout reserves each line from
 * ONE location, so until allocation can split a line, availability is the most available at any
 * single active location, not the sum over locations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkout, expectStatus, guestCart, receive, setUpStaff, Staff, stockedProduct } from './support/commerce';
import { expectProblem } from './support/problem';
import { startTestApp, TestApp } from './support/test-app';

describe('availability and checkout agree', () => {
  let t: TestApp;
  let staff: Staff;
  let second: Staff;

  beforeAll(async () => {
    t = await startTestApp();
    staff = await setUpStaff(t);
    const location = await t.request('POST', '/v1/stock-locations', {
      token: staff.accessToken,
      body: { code: 'second', name: 'Second warehouse', address: { line1: 'Hafen 2', city: 'Hamburg', postalCode: '20457', country: 'DE' }, priority: 1 },
    });
    expectStatus(location, 201, 'create the second location');
    second = { ...staff, locationId: location.body.id };
  });
  afterAll(() => t.close());

  const availabilityOf = async (variantId: string) => {
    const response = await t.request('GET', `/v1/variants/${variantId}/availability`);
    expectStatus(response, 200, 'read availability');
    return response.body as { available: number; inStock: boolean };
  };

  it('with 3 and 5 units in two locations says 5, sells 5 in one order and refuses 6 (409)', async () => {
    const [variant] = await stockedProduct(t, staff, 0);
    await receive(t, staff, variant.variantId, 3);
    await receive(t, second, variant.variantId, 5);

    expect(await availabilityOf(variant.variantId)).toMatchObject({ available: 5, inStock: true });
    // Staff see both: every unit in stock, and what one order can take.
    const stock = await t.request('GET', `/v1/inventory/variants/${variant.variantId}`, { token: staff.accessToken });
    expect(stock.body).toMatchObject({ totals: { onHand: 8, reserved: 0, available: 8 }, sellable: 5 });

    const six = await checkout(t, await guestCart(t, [{ variantId: variant.variantId, quantity: 6 }]));
    expectProblem(six, 409);
    expect(six.body.skus).toEqual([variant.sku]);

    const five = await checkout(t, await guestCart(t, [{ variantId: variant.variantId, quantity: 5 }]));
    expect(five.status).toBe(201);
    expect(await availabilityOf(variant.variantId)).toMatchObject({ available: 3, inStock: true });

    const three = await checkout(t, await guestCart(t, [{ variantId: variant.variantId, quantity: 3 }]));
    expect(three.status).toBe(201);
    expect(await availabilityOf(variant.variantId)).toEqual({ variantId: variant.variantId, sku: variant.sku, available: 0, inStock: false });
  });
});
