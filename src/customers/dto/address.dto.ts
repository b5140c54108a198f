import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsISO31661Alpha2, IsOptional, IsString, Matches, ValidateIf } from 'class-validator';
import { MaxCodePoints } from '../../common/validation/max-code-points';

const UUID_EXAMPLE = '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e';
const COUNTRY_MESSAGE = 'country must be an ISO 3166-1 alpha-2 code in capitals, such as DE';
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Nullable optional text: trimmed, and an empty string stored as null. */
const trimToNull = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() || null : value);

/** Decorators of a required text field: a string, trimmed, not blank, at most `max` code points. */
function requiredText(max: number, example: string, description: string): PropertyDecorator[] {
  return [
    ApiProperty({ description, minLength: 1, maxLength: max, example }),
    Transform(trim),
    IsString(),
    Matches(/\S/, { message: '$property must not be blank' }),
    MaxCodePoints(max),
  ];
}

/** Decorators of an optional text field; null or an empty string clears it. */
function optionalText(max: number, example: string, description: string): PropertyDecorator[] {
  return [
    ApiPropertyOptional({ description, type: String, nullable: true, maxLength: max, example }),
    Transform(trimToNull),
    IsOptional(),
    IsString(),
    MaxCodePoints(max),
  ];
}

const apply = (decorators: PropertyDecorator[]): PropertyDecorator => (target, key) => decorators.forEach((d) => d(target, key));

/**
 * A postal address as a request body: where to ship. Reused by checkout (its `shippingAddress`).
 * Country is ISO 3166-1 alpha-2 in capitals.
 */
@ApiSchema({ description: 'A postal address: recipient, street, city, postal code and ISO 3166-1 alpha-2 country.' })
export class ShippingAddressDto {
  /** Recipient name. */
  @apply(requiredText(200, 'Ada Lovelace', 'Recipient name.'))
  fullName: string;

  /** Street and number. */
  @apply(requiredText(200, '12 St James Square', 'Street and number.'))
  line1: string;

  /** Second address line. */
  @apply(optionalText(200, 'Flat 3', 'Second address line.'))
  line2?: string | null;

  /** City or town. */
  @apply(requiredText(100, 'London', 'City or town.'))
  city: string;

  /** State, county or region. */
  @apply(optionalText(100, 'Greater London', 'State, county or region.'))
  region?: string | null;

  /** Postal code. */
  @apply(requiredText(20, 'SW1Y 4JH', 'Postal code.'))
  postalCode: string;

  /** ISO 3166-1 alpha-2 country code, in capitals. */
  @ApiProperty({ description: 'ISO 3166-1 alpha-2 country code, in capitals.', minLength: 2, maxLength: 2, pattern: '^[A-Z]{2}$', example: 'GB' })
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: COUNTRY_MESSAGE })
  @IsISO31661Alpha2({ message: COUNTRY_MESSAGE })
  country: string;

  /** Phone number for the carrier. */
  @apply(optionalText(40, '+44 20 7946 0000', 'Phone number for the carrier.'))
  phone?: string | null;
}

@ApiSchema({ description: 'A new saved address.' })
export class CreateAddressDto extends ShippingAddressDto {
  /** A name for the address, such as Home or Office. */
  @apply(optionalText(50, 'Home', 'A name for the address, such as Home or Office.'))
  label?: string | null;

  /** Make it the default shipping address (the previous default stops being one). */
  @ApiPropertyOptional({ description: 'Make it the default shipping address (the previous default stops being one).', default: false, example: true })
  @IsOptional()
  @IsBoolean()
  isDefaultShipping?: boolean;

  /** Make it the default billing address (the previous default stops being one). */
  @ApiPropertyOptional({ description: 'Make it the default billing address (the previous default stops being one).', default: false, example: false })
  @IsOptional()
  @IsBoolean()
  isDefaultBilling?: boolean;
}

/** Changes to an address: omitted fields stay, null clears an optional one. */
@ApiSchema({ description: 'Changes to a saved address; omitted fields stay as they are, null clears an optional one.' })
export class UpdateAddressDto {
  @apply(optionalText(50, 'Office', 'A name for the address, such as Home or Office.'))
  label?: string | null;

  @ApiPropertyOptional({ description: 'Recipient name.', minLength: 1, maxLength: 200, example: 'Ada Lovelace' })
  @Transform(trim)
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @Matches(/\S/, { message: 'fullName must not be blank' })
  @MaxCodePoints(200)
  fullName?: string;

  @ApiPropertyOptional({ description: 'Street and number.', minLength: 1, maxLength: 200, example: '12 St James Square' })
  @Transform(trim)
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @Matches(/\S/, { message: 'line1 must not be blank' })
  @MaxCodePoints(200)
  line1?: string;

  @apply(optionalText(200, 'Flat 3', 'Second address line.'))
  line2?: string | null;

  @ApiPropertyOptional({ description: 'City or town.', minLength: 1, maxLength: 100, example: 'London' })
  @Transform(trim)
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @Matches(/\S/, { message: 'city must not be blank' })
  @MaxCodePoints(100)
  city?: string;

  @apply(optionalText(100, 'Greater London', 'State, county or region.'))
  region?: string | null;

  @ApiPropertyOptional({ description: 'Postal code.', minLength: 1, maxLength: 20, example: 'SW1Y 4JH' })
  @Transform(trim)
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @Matches(/\S/, { message: 'postalCode must not be blank' })
  @MaxCodePoints(20)
  postalCode?: string;

  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2 country code, in capitals.', minLength: 2, maxLength: 2, pattern: '^[A-Z]{2}$', example: 'GB' })
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: COUNTRY_MESSAGE })
  @IsISO31661Alpha2({ message: COUNTRY_MESSAGE })
  country?: string;

  @apply(optionalText(40, '+44 20 7946 0000', 'Phone number for the carrier.'))
  phone?: string | null;

  @ApiPropertyOptional({ description: 'true makes it the default shipping address (clearing the previous one); false stops it being one.', example: true })
  @ValidateIf((_, value) => value !== undefined)
  @IsBoolean()
  isDefaultShipping?: boolean;

  @ApiPropertyOptional({ description: 'true makes it the default billing address (clearing the previous one); false stops it being one.', example: false })
  @ValidateIf((_, value) => value !== undefined)
  @IsBoolean()
  isDefaultBilling?: boolean;
}

/** A saved address. */
@ApiSchema({ description: 'One of the customer\'s saved addresses.' })
export class AddressDto {
  @ApiProperty({ description: 'Public id (UUIDv7).', format: 'uuid', minLength: 36, maxLength: 36, example: UUID_EXAMPLE })
  id: string;

  @ApiProperty({ description: 'A name for the address.', type: String, nullable: true, maxLength: 50, example: 'Home' })
  label: string | null;

  @ApiProperty({ description: 'Recipient name.', minLength: 1, maxLength: 200, example: 'Ada Lovelace' })
  fullName: string;

  @ApiProperty({ description: 'Street and number.', minLength: 1, maxLength: 200, example: '12 St James Square' })
  line1: string;

  @ApiProperty({ description: 'Second address line.', type: String, nullable: true, maxLength: 200, example: 'Flat 3' })
  line2: string | null;

  @ApiProperty({ description: 'City or town.', minLength: 1, maxLength: 100, example: 'London' })
  city: string;

  @ApiProperty({ description: 'State, county or region.', type: String, nullable: true, maxLength: 100, example: 'Greater London' })
  region: string | null;

  @ApiProperty({ description: 'Postal code.', minLength: 1, maxLength: 20, example: 'SW1Y 4JH' })
  postalCode: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2 country code.', minLength: 2, maxLength: 2, pattern: '^[A-Z]{2}$', example: 'GB' })
  country: string;

  @ApiProperty({ description: 'Phone number for the carrier.', type: String, nullable: true, maxLength: 40, example: '+44 20 7946 0000' })
  phone: string | null;

  @ApiProperty({ description: 'The default shipping address (at most one per customer).', example: true })
  isDefaultShipping: boolean;

  @ApiProperty({ description: 'The default billing address (at most one per customer).', example: false })
  isDefaultBilling: boolean;

  @ApiProperty({ description: 'When the address was saved (UTC).', format: 'date-time', maxLength: 30, example: '2026-11-28T12:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ description: 'When the address last changed (UTC).', format: 'date-time', maxLength: 30, example: '2026-11-28T12:00:00.000Z' })
  updatedAt: string;
}
