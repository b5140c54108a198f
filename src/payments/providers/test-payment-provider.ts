import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../../config/app-config';
import { CaptureInput, CaptureResult, PaymentProvider, ProviderEvent, RefundInput, RefundResult, WebhookHeaders } from './payment-provider';
import { parseWebhookEvent, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature';

/** Card tokens of the test provider and what they do. */
export const TEST_CARD_TOKENS = {
  success: 'tok_success',
  declined: 'tok_declined',
  insufficientFunds: 'tok_insufficient_funds',
  failAfterDelay: 'tok_fail_after_delay',
} as const;

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The test provider's capture reference: the same order and idempotency key give the same
 * reference, so a webhook and a capture for one charge carry the same one.
 */
export function testPaymentReference(orderId: string, idempotencyKey: string): string {
  return `testpay_${sha256Hex(`${orderId}:${idempotencyKey}`).slice(0, 24)}`;
}

/** The test provider's refund reference: deterministic from the payment and the refund's idempotency key. */
export function testRefundReference(paymentReference: string, idempotencyKey: string): string {
  return `testrefund_${sha256Hex(`${paymentReference}:${idempotencyKey}`).slice(0, 24)}`;
}

/**
 * The built-in `test` provider: no network, the card token decides the outcome. `tok_success`
 * succeeds, `tok_declined` and `tok_insufficient_funds` fail at once, `tok_fail_after_delay`
 * fails after PAYMENTS_TEST_FAILURE_DELAY_MS, anything else fails as an invalid source. Refunds
 * always succeed. Webhooks are signed with PAYMENTS_TEST_WEBHOOK_SECRET (see signTestWebhook).
 */
@Injectable()
export class TestPaymentProvider implements PaymentProvider {
  readonly name = 'test';

  constructor(private readonly config: AppConfig) {}

  async capture(input: CaptureInput): Promise<CaptureResult> {
    const reference = testPaymentReference(input.orderId, input.idempotencyKey);
    switch (input.source) {
      case TEST_CARD_TOKENS.success:
        return { status: 'succeeded', reference };
      case TEST_CARD_TOKENS.declined:
        return { status: 'failed', reference, failureCode: 'card_declined', failureMessage: 'The card was declined.' };
      case TEST_CARD_TOKENS.insufficientFunds:
        return { status: 'failed', reference, failureCode: 'insufficient_funds', failureMessage: 'The card has insufficient funds.' };
      case TEST_CARD_TOKENS.failAfterDelay:
        await sleep(this.config.payments.testFailureDelayMs);
        return { status: 'failed', reference, failureCode: 'processing_error', failureMessage: 'The payment could not be processed.' };
      default:
        return { status: 'failed', reference, failureCode: 'invalid_source', failureMessage: 'The payment source is not a known test card token.' };
    }
  }

  refund(input: RefundInput): Promise<RefundResult> {
    return Promise.resolve({ status: 'succeeded', reference: testRefundReference(input.reference, input.idempotencyKey) });
  }

  parseWebhook(rawBody: Buffer, headers: WebhookHeaders): ProviderEvent {
    verifyWebhookSignature(
      rawBody,
      headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()],
      this.config.payments.testWebhookSecret,
      this.config.payments.webhookToleranceSeconds,
    );
    return parseWebhookEvent(rawBody);
  }
}
