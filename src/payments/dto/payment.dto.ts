import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { MaxCodePoints } from '../../common/validation/max-code-points';
import { MAX_ORDER_AMOUNT } from '../../pricing/pricing.math';

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

