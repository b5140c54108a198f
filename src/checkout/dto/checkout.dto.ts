import { ApiProperty, ApiPropertyOptional, ApiSchema, type ExamplesObject } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsEmail, IsOptional, IsUUID, ValidateIf, ValidateNested } from 'class-validator';
import { MaxCodePoints } from '../../common/validation/max-code-points';
import { ShippingAddressDto } from '../../customers/dto/address.dto';

@ApiSchema({ description: 'Turns a cart into an order. Prices come from the catalog; sending any is a 400.' })
export class CheckoutDto {
  /** The cart to check out: the caller's own (customers) or the one X-Cart-Token opens (guests). */
  @ApiProperty({ description: 'The cart to check out: the caller\'s own, or the one X-Cart-Token opens.', format: 'uuid', minLength: 36, maxLength: 36, example: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' })
  @IsUUID()
  cartId: string;

  /** Where order mail goes. Required for guests; customers' orders use their account email. */
  @ApiPropertyOptional({ description: 'Where order mail goes. Required for guests; customers\' orders use their account email.', format: 'idn-email', maxLength: 254, example: 'ada@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxCodePoints(254)
  email?: string;

  /** Where to ship; the country decides shipping and tax (422 when there is no rate). Give this or shippingAddressId. */
  @ApiPropertyOptional({
    description: 'Where to ship; the country decides shipping and tax (422 when there is no rate). Give this or `shippingAddressId`.',
    type: ShippingAddressDto,
  })
  @ValidateIf((dto: CheckoutDto) => dto.shippingAddress !== undefined || dto.shippingAddressId === undefined)
  @IsDefined({ message: 'give shippingAddress or shippingAddressId' })
  @ValidateNested()
  @Type(() => ShippingAddressDto)
  shippingAddress?: ShippingAddressDto;

  /** Customers: one of their saved addresses (GET /v1/me/addresses) to ship to, copied into the order. Give this or shippingAddress. */
  @ApiPropertyOptional({
    description: 'Customers: one of their saved addresses (`listAddresses`) to ship to, copied into the order. Give this or `shippingAddress`.',
    format: 'uuid',
    minLength: 36,
    maxLength: 36,
    example: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e',
  })
  @ValidateIf((dto: CheckoutDto) => dto.shippingAddressId !== undefined)
  @IsUUID()
  shippingAddressId?: string;
}

/**
 * The request examples of checkout. Composed from the property examples alone, a body would carry
 * both `shippingAddress` and `shippingAddressId`, which is a 400: each example gives one of them.
 */
export const CHECKOUT_EXAMPLES: ExamplesObject = {
  guest: {
    summary: 'A guest ships to an address',
    value: {
      cartId: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e',
      email: 'ada@example.com',
      shippingAddress: { fullName: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    },
  },
  savedAddress: {
    summary: 'A customer ships to one of their saved addresses',
    value: { cartId: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e', shippingAddressId: '0193f2a4-7b3c-7000-8000-6c2d9e8f7a10' },
  },
};
