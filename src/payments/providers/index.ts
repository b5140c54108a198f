/** Payment providers' public surface, for the payments and orders features. */
export type {
  CaptureInput,
  CaptureResult,
  PaymentProvider,
  ProviderEvent,
  ProviderEventType,
  RefundInput,
  RefundResult,
  WebhookHeaders,
} from './payment-provider';
export { PROVIDER_EVENT_TYPES } from './payment-provider';
export { PaymentProviders } from './payment-providers';
export { PaymentsProvidersModule } from './payments-providers.module';
export { TEST_CARD_TOKENS, TestPaymentProvider, testPaymentReference, testRefundReference } from './test-payment-provider';
export { WEBHOOK_PATH_PREFIX } from './webhook-raw-body';
export {
  InvalidWebhookEventError,
  parseWebhookEvent,
  signTestWebhook,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_SIGNATURE_MAX_LENGTH,
  WebhookSignatureError,
} from './webhook-signature';
