import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { CURRENCIES } from '../../catalog/dto/product.dto';
import { COUNTRIES, COUNTRY_PATTERN } from '../countries';

const MAX_AMOUNT = 2_147_483_647;
const COUNTRY_MESSAGE = 'country must be an ISO 3166-1 alpha-2 country code in upper case, such as DE or US';
const CURRENCY_MESSAGE = 'currency must be an ISO 4217 currency code such as EUR or USD';

const country = (description: string) => ({ description, minLength: 2, maxLength: 2, pattern: COUNTRY_PATTERN, example: 'DE' });
const currency = (description: string) => ({ description, minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$', example: 'EUR' });
const amount = { type: 'integer' as const, format: 'int32', minimum: 0, maximum: MAX_AMOUNT, example: 495 };
const rateBps = { type: 'integer' as const, format: 'int32', minimum: 0, maximum: 10_000, example: 1900 };

/** The shipping charge to one country for orders in one currency. */
@ApiSchema({ description: 'The flat shipping charge to one country for orders in one currency.' })
export class ShippingRateDto {
  /** ISO 3166-1 alpha-2 country code. */
  @ApiProperty(country('ISO 3166-1 alpha-2 country code.'))
  country: string;

  /** ISO 4217 currency code. */
  @ApiProperty(currency('ISO 4217 currency code.'))
  currency: string;

  /** Shipping charge in minor units of `currency`; 0 for free shipping. */
  @ApiProperty({ ...amount, description: 'Shipping charge in minor units of `currency`; 0 for free shipping.' })
  amount: number;
}

@ApiSchema({ description: 'A shipping charge to set.' })
export class SetShippingRateDto {
  /** Shipping charge in minor units of the currency: a whole number, 0 or more. */
  @ApiProperty({ ...amount, description: 'Shipping charge in minor units of the currency: a whole number, 0 or more.' })
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT)
  amount: number;
}

/** The tax rate of one country. */
@ApiSchema({ description: 'The tax rate of one country, applied to goods and shipping.' })
export class TaxRateDto {
  /** ISO 3166-1 alpha-2 country code. */
  @ApiProperty(country('ISO 3166-1 alpha-2 country code.'))
  country: string;

  /** Rate in basis points: 1900 is 19 %, 0 a tax-free country. */
  @ApiProperty({ ...rateBps, description: 'Rate in basis points: 1900 is 19 %, 0 a tax-free country.' })
  rateBps: number;
}

@ApiSchema({ description: 'A tax rate to set.' })
export class SetTaxRateDto {
  /** Rate in basis points, 0 to 10000 (100 %): 1900 is 19 %. Set 0 explicitly for a tax-free country. */
  @ApiProperty({ ...rateBps, description: 'Rate in basis points, 0 to 10000 (100 %): 1900 is 19 %. Set 0 explicitly for a tax-free country.' })
  @IsInt()
  @Min(0)
  @Max(10_000)
  rateBps: number;
}

/** Path parameters naming a country. */
export class CountryParamsDto {
  @ApiProperty(country('ISO 3166-1 alpha-2 country code, upper case; any other value is 400.'))
  @IsIn(COUNTRIES, { message: COUNTRY_MESSAGE })
  country: string;
}

/** Path parameters naming a country and a currency. */
export class ShippingRateParamsDto extends CountryParamsDto {
  @ApiProperty(currency('ISO 4217 currency code, upper case; any other value is 400.'))
  @IsIn(CURRENCIES, { message: CURRENCY_MESSAGE })
  currency: string;
}
