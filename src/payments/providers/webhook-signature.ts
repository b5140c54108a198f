import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../common/problem/app-error';
import { PROVIDER_EVENT_TYPES, ProviderEvent, ProviderEventType } from './payment-provider';

/** `Emporium-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` (several v1 allowed, for secret rotation). */
export const WEBHOOK_SIGNATURE_HEADER = 'Emporium-Signature';
export const WEBHOOK_SIGNATURE_MAX_LENGTH = 1024;

/** The webhook's signature header is missing or malformed, does not match the body, or is outside the time tolerance. */
export class WebhookSignatureError extends AppError {
  readonly status = 400;
  readonly type = 'invalid-signature';
  readonly title = 'Bad Request';
}

/** The webhook's body is signed correctly but is not an event this API understands. */
export class InvalidWebhookEventError extends AppError {
  readonly status = 400;
  readonly type = 'invalid-webhook';
  readonly title = 'Bad Request';
}

function hmacHex(secret: string, timestamp: number | string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The Emporium-Signature header value for `payload` (the exact bytes sent, as UTF-8), for tests and clients of the test provider. */
export function signTestWebhook(payload: string, secret: string, timestamp: number = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, Buffer.from(payload, 'utf8'))}`;
}

/**
 * Checks the signature header against the raw body: well-formed, a timestamp within
 * `toleranceSeconds` of now (either way, against replays of old deliveries), and at least one
 * v1 signature equal (compared in constant time) to the HMAC under `secret`.
 */
export function verifyWebhookSignature(
  rawBody: Buffer,
  header: string | string[] | undefined,
  secret: string,
  toleranceSeconds: number,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): void {
  if (header === undefined) throw new WebhookSignatureError(`The ${WEBHOOK_SIGNATURE_HEADER} header is missing.`);
  if (typeof header !== 'string' || header.length > WEBHOOK_SIGNATURE_MAX_LENGTH) {
    throw new WebhookSignatureError(`The ${WEBHOOK_SIGNATURE_HEADER} header must be sent once, as t=<unix seconds>,v1=<hex signature>.`);
  }
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const match = /^\s*([a-z0-9]+)=([^=\s]*)\s*$/.exec(part);
    if (!match) throw malformed();
    const [, name, value] = match;
    if (name === 't') {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) throw malformed();
      timestamp = value;
    } else if (name === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) throw malformed();
      signatures.push(value);
    }
    // Other schemes (v0, a future v2) are ignored, so a provider can add one without breaking receivers.
  }
  if (timestamp === undefined || signatures.length === 0) throw malformed();
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) {
    throw new WebhookSignatureError(`The ${WEBHOOK_SIGNATURE_HEADER} timestamp is more than ${toleranceSeconds} seconds away from now; a stale or replayed delivery is refused.`);
  }
  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'hex');
  if (!signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected))) {
    throw new WebhookSignatureError(`The ${WEBHOOK_SIGNATURE_HEADER} signature does not match the request body.`);
  }
}

function malformed(): WebhookSignatureError {
  return new WebhookSignatureError(`The ${WEBHOOK_SIGNATURE_HEADER} header is malformed; expected t=<unix seconds>,v1=<64 hex digits>.`);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length >= 1 && value.length <= max;

/** The event in a (verified) webhook body: `{ id, type, data: { orderId, reference, amount, currency } }`; other members are ignored. */
export function parseWebhookEvent(rawBody: Buffer): ProviderEvent {
  let event: unknown;
  try {
    event = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new InvalidWebhookEventError('The webhook body is not valid JSON.');
  }
  const invalid = (what: string) => new InvalidWebhookEventError(`The webhook event is not valid: ${what}.`);
  if (!isObject(event)) throw invalid('expected a JSON object');
  if (!isText(event.id, 255)) throw invalid('id must be a string of 1 to 255 characters');
  if (typeof event.type !== 'string' || !PROVIDER_EVENT_TYPES.includes(event.type as ProviderEventType)) {
    throw invalid(`type must be one of ${PROVIDER_EVENT_TYPES.join(', ')}`);
  }
  const data = event.data;
  if (!isObject(data)) throw invalid('data must be an object');
  if (!isText(data.orderId, 64)) throw invalid('data.orderId must be a string of 1 to 64 characters');
  if (!isText(data.reference, 255)) throw invalid('data.reference must be a string of 1 to 255 characters');
  if (typeof data.amount !== 'number' || !Number.isSafeInteger(data.amount) || data.amount < 0) {
    throw invalid('data.amount must be a whole number of minor units, 0 or more');
  }
  if (typeof data.currency !== 'string' || !/^[A-Z]{3}$/.test(data.currency)) throw invalid('data.currency must be an ISO 4217 code such as EUR');
  return {
    id: event.id,
    type: event.type as ProviderEventType,
    orderId: data.orderId,
    reference: data.reference,
    amount: data.amount,
    currency: data.currency,
  };
}
