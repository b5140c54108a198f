import { describe, expect, it } from 'vitest';
import { NotFoundError, RuleViolationError } from '../../common/problem/app-error';
import { loadConfig } from '../../config/app-config';
import { PaymentProviders } from './payment-providers';
import { TEST_CARD_TOKENS, TestPaymentProvider, testPaymentReference, testRefundReference } from './test-payment-provider';
import { signTestWebhook, WebhookSignatureError } from './webhook-signature';

const SECRET = 'whsec_test_0123456789abcdef';
const config = loadConfig({ NODE_ENV: 'test', PAYMENTS_TEST_WEBHOOK_SECRET: SECRET, PAYMENTS_TEST_FAILURE_DELAY_MS: '50' });
const provider = new TestPaymentProvider(config);
const ORDER = '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e';
const capture = (source: string, idempotencyKey = 'key-1') => provider.capture({ orderId: ORDER, amount: 2499, currency: 'EUR', source, idempotencyKey });

describe('TestPaymentProvider', () => {
  it('is called test and found in the registry while enabled; other names are 422 to pay with, 404 as a webhook', () => {
    const providers = new PaymentProviders(config, provider);
    expect(providers.get('test')).toBe(provider);
    expect(providers.forWebhook('test')).toBe(provider);
    expect(providers.names()).toEqual(['test']);
    expect(() => providers.get('stripe')).toThrow(RuleViolationError);
    expect(() => providers.forWebhook('stripe')).toThrow(NotFoundError);
  });

  it('is absent when PAYMENTS_PROVIDERS does not enable it', () => {
    const production = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-32-chars!!' });
    const providers = new PaymentProviders(production, new TestPaymentProvider(production));
    expect(providers.names()).toEqual([]);
    expect(() => providers.get('test')).toThrow('The payment provider test is not enabled on this server; enabled: none.');
    expect(() => providers.forWebhook('test')).toThrow(NotFoundError);
  });

  it('lets the card token decide the outcome', async () => {
    const reference = testPaymentReference(ORDER, 'key-1');
    expect(await capture(TEST_CARD_TOKENS.success)).toEqual({ status: 'succeeded', reference });
    expect(await capture(TEST_CARD_TOKENS.declined)).toMatchObject({ status: 'failed', reference, failureCode: 'card_declined' });
    expect(await capture(TEST_CARD_TOKENS.insufficientFunds)).toMatchObject({ status: 'failed', reference, failureCode: 'insufficient_funds' });
    expect(await capture('tok_unknown')).toMatchObject({ status: 'failed', reference, failureCode: 'invalid_source' });
  });

  it('fails tok_fail_after_delay after PAYMENTS_TEST_FAILURE_DELAY_MS', async () => {
    const started = performance.now();
    const result = await capture(TEST_CARD_TOKENS.failAfterDelay);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(result).toMatchObject({ status: 'failed', failureCode: 'processing_error', failureMessage: expect.any(String) });
  });

  it('derives references deterministically from order and idempotency key', () => {
    expect(testPaymentReference(ORDER, 'a')).toMatch(/^testpay_[0-9a-f]{24}$/);
    expect(testPaymentReference(ORDER, 'a')).toBe(testPaymentReference(ORDER, 'a'));
    expect(testPaymentReference(ORDER, 'a')).not.toBe(testPaymentReference(ORDER, 'b'));
    expect(testRefundReference('testpay_x', 'r1')).toMatch(/^testrefund_[0-9a-f]{24}$/);
  });

  it('always refunds, with a reference derived from the refund key', async () => {
    const refund = await provider.refund({ reference: 'testpay_x', amount: 100, currency: 'EUR', idempotencyKey: 'r1' });
    expect(refund).toEqual({ status: 'succeeded', reference: testRefundReference('testpay_x', 'r1') });
    expect((await provider.refund({ reference: 'testpay_x', amount: 100, currency: 'EUR', idempotencyKey: 'r1' })).reference).toBe(refund.reference);
  });

  it('parses webhooks signed with the configured secret and refuses others', () => {
    const body = JSON.stringify({ id: 'evt_9', type: 'payment.failed', data: { orderId: ORDER, reference: 'testpay_x', amount: 5, currency: 'EUR' } });
    const signature = signTestWebhook(body, SECRET);
    expect(provider.parseWebhook(Buffer.from(body), { 'emporium-signature': signature })).toMatchObject({ id: 'evt_9', type: 'payment.failed', amount: 5 });
    expect(() => provider.parseWebhook(Buffer.from(body), { 'emporium-signature': signTestWebhook(body, 'wrong-secret-0123456789') })).toThrow(WebhookSignatureError);
    const old = signTestWebhook(body, SECRET, Math.floor(Date.now() / 1000) - config.payments.webhookToleranceSeconds - 5);
    expect(() => provider.parseWebhook(Buffer.from(body), { 'emporium-signature': old })).toThrow(/seconds away/);
    expect(() => provider.parseWebhook(Buffer.from(body), {})).toThrow(/missing/);
  });
});
