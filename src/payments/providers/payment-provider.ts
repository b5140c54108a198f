/** The outcome of a capture: `reference` identifies the charge at the provider (unique per provider). */
export interface CaptureResult {
  status: 'succeeded' | 'failed';
  reference: string;
  /** Machine-readable reason of a failure, e.g. `card_declined`. */
  failureCode?: string;
  /** Human-readable reason of a failure. */
  failureMessage?: string;
}

export interface CaptureInput {
  orderId: string;
  /** Minor units of `currency`. */
  amount: number;
  currency: string;
  /** A card token or other payment source the provider understands. */
  source: string;
  /** Passed on to the provider so that a retried capture charges once. */
  idempotencyKey: string;
}

export interface RefundInput {
  /** The capture's reference. */
  reference: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
}

export interface RefundResult {
  status: 'succeeded' | 'failed';
  reference: string;
}

export type ProviderEventType = 'payment.succeeded' | 'payment.failed' | 'refund.succeeded';
export const PROVIDER_EVENT_TYPES: readonly ProviderEventType[] = ['payment.succeeded', 'payment.failed', 'refund.succeeded'];

/** A verified webhook event, flattened. `id` is unique per provider: a repeated id is a duplicate delivery. */
export interface ProviderEvent {
  id: string;
  type: ProviderEventType;
  orderId: string;
  reference: string;
  amount: number;
  currency: string;
}

export type WebhookHeaders = Record<string, string | string[] | undefined>;

/** A payment service provider: captures, refunds, and the webhooks it sends. */
export interface PaymentProvider {
  readonly name: string;
  capture(input: CaptureInput): Promise<CaptureResult>;
  refund(input: RefundInput): Promise<RefundResult>;
  /** Verifies signature + timestamp tolerance on the raw body; returns the parsed event or throws 400 AppErrors. */
  parseWebhook(rawBody: Buffer, headers: WebhookHeaders): ProviderEvent;
}
