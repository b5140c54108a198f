import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsInt, IsUUID, Max, Min } from 'class-validator';
import { CartStatus } from '../entities/cart.entity';

const UUID_EXAMPLE = '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e';
const MAX_AMOUNT = 2_147_483_647;
/** The hard ceiling of CART_MAX_LINE_QUANTITY; the configured maximum is checked by the service (400 naming `quantity`). */
export const QUANTITY_CEILING = 1_000_000;
const uuid = (description: string) => ({ description, format: 'uuid', minLength: 36, maxLength: 36, example: UUID_EXAMPLE });
const timestamp = (description: string) => ({ description, format: 'date-time', maxLength: 30, example: '2026-11-28T12:00:00.000Z' });
const amount = (description: string, example: number) => ({ description, type: 'integer' as const, format: 'int64', minimum: 0, example });
const QUANTITY_DESCRIPTION = 'A whole number from 1 to the configured maximum per line (CART_MAX_LINE_QUANTITY, default 99); anything else is a 400.';

@ApiSchema({ description: 'A variant to put in the cart. Prices are never sent: they come from the catalog.' })
export class AddCartLineDto {
  /** The variant to buy. */
  @ApiProperty(uuid('The variant to buy; 404 when it does not exist, 422 when its product is not on sale.'))
  @IsUUID()
  variantId: string;

  /** How many. */
  @ApiProperty({ description: QUANTITY_DESCRIPTION, type: 'integer', format: 'int32', minimum: 1, maximum: QUANTITY_CEILING, example: 2 })
  @IsInt()
  @Min(1)
  @Max(QUANTITY_CEILING)
  quantity: number;
}

@ApiSchema({ description: 'The new quantity of a cart line.' })
export class UpdateCartLineDto {
  /** The new quantity. */
  @ApiProperty({ description: QUANTITY_DESCRIPTION + ' Remove a line with removeCartLine.', type: 'integer', format: 'int32', minimum: 1, maximum: QUANTITY_CEILING, example: 3 })
  @IsInt()
  @Min(1)
  @Max(QUANTITY_CEILING)
  quantity: number;
}

@ApiSchema({ description: 'One line of a cart, priced from the catalog at the time of reading.' })
export class CartLineDto {
  @ApiProperty(uuid('Id of the line (for changeCartLine and removeCartLine).'))
  id: string;

  @ApiProperty(uuid('The variant.'))
  variantId: string;

  @ApiProperty(uuid('Its product.'))
  productId: string;

  @ApiProperty({ description: 'The variant\'s SKU.', minLength: 1, maxLength: 64, example: 'TSHIRT-RED-M' })
  sku: string;

  @ApiProperty({ description: 'The product\'s name.', minLength: 1, maxLength: 200, example: 'Classic T-shirt' })
  productName: string;

  @ApiProperty({
    description: 'Option name → value of the variant.',
    type: 'object',
    maxProperties: 10,
    additionalProperties: { type: 'string', maxLength: 100 },
    example: { size: 'M', colour: 'red' },
  })
  options: Record<string, string>;

  @ApiProperty({ description: 'Units.', type: 'integer', format: 'int32', minimum: 1, maximum: QUANTITY_CEILING, example: 2 })
  quantity: number;

  @ApiProperty({ ...amount('The variant\'s current catalog price, in minor units.', 1999), maximum: MAX_AMOUNT, format: 'int32' })
  unitPriceAmount: number;

  @ApiProperty({ ...amount('unitPriceAmount × quantity.', 3998), maximum: Number.MAX_SAFE_INTEGER })
  lineTotalAmount: number;

  @ApiProperty({
    description:
      'Whether the line can be bought: its product is still active and the variant is priced in the cart\'s currency. ' +
      'Unavailable lines are left out of subtotalAmount, and checkout refuses the cart (422) until they are removed.',
    example: true,
  })
  available: boolean;
}

@ApiSchema({ description: 'A shopping cart, priced from the catalog at the time of reading.' })
export class CartDto {
  @ApiProperty(uuid('Public id of the cart.'))
  id: string;

  @ApiProperty({ description: '`open` while it can change; `checked_out` once an order was made from it.', enum: CartStatus, enumName: 'CartStatus', example: CartStatus.Open })
  status: CartStatus;

  @ApiProperty({ description: 'ISO 4217 currency of every line; null while the cart is empty.', type: String, nullable: true, minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$', example: 'EUR' })
  currency: string | null;

  @ApiProperty({ description: 'The lines, oldest first.', type: [CartLineDto], maxItems: 10_000 })
  lines: CartLineDto[];

  @ApiProperty({ ...amount('Sum of the available lines\' totals, in minor units of `currency`.', 3998), maximum: Number.MAX_SAFE_INTEGER })
  subtotalAmount: number;

  @ApiProperty({ description: 'Units in the cart, over all lines.', type: 'integer', format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, example: 2 })
  itemCount: number;

  @ApiProperty({ ...timestamp('Guest carts: when the cart stops working (404) unless it changes before; each change pushes it back. Null for customers\' carts.'), type: String, nullable: true })
  expiresAt: string | null;

  @ApiProperty(timestamp('When the cart was created (UTC).'))
  createdAt: string;

  @ApiProperty(timestamp('When the cart last changed (UTC).'))
  updatedAt: string;

  @ApiPropertyOptional({
    description:
      'Present only when a guest cart was just created (openCart answering 201): the cart\'s secret token, returned this once. ' +
      'Send it as `X-Cart-Token` to reach the cart, and as `cartToken` when signing in to move its lines into the customer\'s cart.',
    minLength: 20,
    maxLength: 200,
    pattern: '^[A-Za-z0-9_-]+$',
    example: 'ct_8Jx2mQ0vR4tYc7bN1pLd9sWe3uHk6aZf5gTn0oVi2yE',
  })
  cartToken?: string;
}
