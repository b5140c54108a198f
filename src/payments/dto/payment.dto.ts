import { ApiProperty, ApiSchema, type SchemaObject } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { MaxCodePoints } from '../../common/validation/max-code-points';
import { MAX_ORDER_AMOUNT } from '../../pricing/pricing.math';
import { PROVIDER_EVENT_TYPES } from '../providers';

@ApiSchema({ description: 'Pays an order with a card token of a provider.' })
export class CreatePaymentDto {
  /** The payment provider; `test` is built in. */
  @ApiProperty({ description: 'The payment provider; `test` is built in.', minLength: 1, maxLength: 32, pattern: '^[a-z0-9_-]+$', example: 'test' })
  @IsString()
  @Matches(/^[a-z0-9_-]{1,32}$/, { message: 'provider must be a provider name such as test' })
  provider: string;

  /** The card token the provider issued to the client (test provider: tok_success, tok_declined, tok_insufficient_funds, tok_fail_after_delay). */
  @ApiProperty({ description: 'The card token from the provider (test: tok_success, tok_declined, tok_insufficient_funds, tok_fail_after_delay).', minLength: 1, maxLength: 200, example: 'tok_success' })
  @IsString()
  @MinLength(1)
  @MaxCodePoints(200)
  source: string;
}

@ApiSchema({ description: 'Refunds part or all of what was paid for an order.' })
export class CreateRefundDto {
  /** In minor units; at most what was paid and not yet refunded (422 otherwise). */
  @ApiProperty({ description: 'In minor units; at most what was paid and not yet refunded (422 otherwise).', type: 'integer', format: 'int64', minimum: 1, maximum: MAX_ORDER_AMOUNT, example: 500 })
  @IsInt()
  @Min(1)
  @Max(MAX_ORDER_AMOUNT)
  amount: number;

  /** Why, for the timeline. */
  @ApiProperty({ description: 'Why, for the timeline.', minLength: 1, maxLength: 200, example: 'Damaged in transit' })
  @IsString()
  @MinLength(1)
  @MaxCodePoints(200)
  reason: string;
}

@ApiSchema({ description: 'A webhook was accepted.' })
export class WebhookAckDto {
  /** Always true. */
  @ApiProperty({ description: 'Always true.', example: true })
  received: boolean;

  /** True when this event id was handled before; nothing was done again. */
  @ApiProperty({ description: 'True when this event id was handled before; nothing was done again.', example: false })
  duplicate: boolean;
}

/**
 * The body of a webhook of the built-in `test` provider, as parseWebhookEvent reads it. It is
 * verified against its signature as raw bytes, not validated as a DTO; members it does not list
 * are ignored, so the schema is open.
 */
export const WEBHOOK_EVENT_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'A payment event of the provider. Members not listed here are ignored.',
  required: ['id', 'type', 'data'],
  additionalProperties: true,
  properties: {
    id: { type: 'string', description: 'The event id, unique per provider: a repeated one is acknowledged as a duplicate.', minLength: 1, maxLength: 255, example: 'evt_5f0c2c8e9a10' },
    type: { type: 'string', description: 'What happened.', enum: [...PROVIDER_EVENT_TYPES], example: 'payment.succeeded' },
    data: {
      type: 'object',
      description: 'The charge the event is about.',
      required: ['orderId', 'reference', 'amount', 'currency'],
      additionalProperties: true,
      properties: {
        orderId: { type: 'string', description: 'The order charged (its id).', minLength: 1, maxLength: 64, example: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' },
        reference: { type: 'string', description: 'The provider\'s reference of the charge.', minLength: 1, maxLength: 255, example: 'testpay_4c419d1c0b4f6c1e7a0d5f0c' },
        amount: { type: 'integer', format: 'int64', description: 'In minor units of `currency`.', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, example: 2499 },
        currency: { type: 'string', description: 'ISO 4217 code.', minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$', example: 'EUR' },
      },
    },
  },
};
