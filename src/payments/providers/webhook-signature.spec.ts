import { describe, expect, it } from 'vitest';
import { InvalidWebhookEventError, parseWebhookEvent, signTestWebhook, verifyWebhookSignature, WebhookSignatureError } from './webhook-signature';

const SECRET = 'whsec_test_0123456789abcdef';
const NOW = 1_764_806_400;
const TOLERANCE = 300;
const event = {
  id: 'evt_1',
  type: 'payment.succeeded',
  data: { orderId: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e', reference: 'testpay_abc', amount: 2499, currency: 'EUR' },
};
const payload = JSON.stringify(event);

const verify = (body: string | Buffer, header: string | string[] | undefined, now = NOW) =>
  verifyWebhookSignature(Buffer.isBuffer(body) ? body : Buffer.from(body), header, SECRET, TOLERANCE, now);

function expectSignatureError(run: () => unknown, detail: RegExp): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(WebhookSignatureError);
  expect((thrown as WebhookSignatureError).status).toBe(400);
  expect((thrown as Error).message).toMatch(detail);
}

describe('webhook signatures', () => {
  it('accepts a body signed with the secret within the tolerance', () => {
    const header = signTestWebhook(payload, SECRET, NOW);
    expect(header).toMatch(/^t=1764806400,v1=[0-9a-f]{64}$/);
    expect(() => verify(payload, header)).not.toThrow();
    expect(() => verify(payload, header, NOW + TOLERANCE)).not.toThrow();
    expect(() => verify(payload, header, NOW - TOLERANCE)).not.toThrow();
  });

  it('accepts any one matching v1 signature among several (secret rotation) and ignores other schemes', () => {
    const good = signTestWebhook(payload, SECRET, NOW).split(',')[1];
    expect(() => verify(payload, `t=${NOW},v0=abc,v1=${'0'.repeat(64)},${good}`)).not.toThrow();
  });

  it('refuses a bad signature: another secret, or a tampered body', () => {
    expectSignatureError(() => verify(payload, signTestWebhook(payload, 'another-secret-0123456789', NOW)), /does not match/);
    const tampered = payload.replace('2499', '1');
    expectSignatureError(() => verify(tampered, signTestWebhook(payload, SECRET, NOW)), /does not match/);
    expectSignatureError(() => verify(`${payload} `, signTestWebhook(payload, SECRET, NOW)), /does not match/);
  });

  it('refuses a signature made for another timestamp', () => {
    const [, v1] = signTestWebhook(payload, SECRET, NOW).split(',');
    expectSignatureError(() => verify(payload, `t=${NOW + 1},${v1}`), /does not match/);
  });

  it('refuses an old timestamp and one too far in the future', () => {
    expectSignatureError(() => verify(payload, signTestWebhook(payload, SECRET, NOW - TOLERANCE - 1)), /seconds away from now/);
    expectSignatureError(() => verify(payload, signTestWebhook(payload, SECRET, NOW + TOLERANCE + 1)), /seconds away from now/);
  });

  it('refuses a missing, repeated or malformed header', () => {
    expectSignatureError(() => verify(payload, undefined), /missing/);
    const header = signTestWebhook(payload, SECRET, NOW);
    expectSignatureError(() => verify(payload, [header, header]), /sent once/);
    for (const bad of ['', 'garbage', `t=${NOW}`, `v1=${'a'.repeat(64)}`, `t=abc,v1=${'a'.repeat(64)}`, `t=${NOW},v1=xyz`, `t=${NOW},t=${NOW},v1=${'a'.repeat(64)}`, `t=${NOW},v1=${'a'.repeat(63)}`, 'x'.repeat(2000)]) {
      expectSignatureError(() => verify(payload, bad), /malformed|sent once/);
    }
  });
});

describe('webhook events', () => {
  it('parses a valid event and flattens its data', () => {
    expect(parseWebhookEvent(Buffer.from(payload))).toEqual({ id: 'evt_1', type: 'payment.succeeded', ...event.data });
    expect(parseWebhookEvent(Buffer.from(JSON.stringify({ ...event, extra: true, type: 'refund.succeeded' }))).type).toBe('refund.succeeded');
  });

  it.each([
    ['not JSON', '{"id":'],
    ['an array', '[]'],
    ['no id', JSON.stringify({ ...event, id: undefined })],
    ['an unknown type', JSON.stringify({ ...event, type: 'payment.exploded' })],
    ['no data', JSON.stringify({ ...event, data: null })],
    ['a fractional amount', JSON.stringify({ ...event, data: { ...event.data, amount: 1.5 } })],
    ['a negative amount', JSON.stringify({ ...event, data: { ...event.data, amount: -1 } })],
    ['an amount as text', JSON.stringify({ ...event, data: { ...event.data, amount: '2499' } })],
    ['a lower-case currency', JSON.stringify({ ...event, data: { ...event.data, currency: 'eur' } })],
    ['an empty reference', JSON.stringify({ ...event, data: { ...event.data, reference: '' } })],
    ['no order id', JSON.stringify({ ...event, data: { ...event.data, orderId: undefined } })],
  ])('refuses %s with a 400 invalid-webhook error', (_, body) => {
    expect(() => parseWebhookEvent(Buffer.from(body))).toThrow(InvalidWebhookEventError);
  });
});
