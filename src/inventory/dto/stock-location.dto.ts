import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsISO31661Alpha2, IsNumber, IsObject, IsOptional, IsString, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { MaxCodePoints } from '../../common/validation/max-code-points';
import { LOCATION_ID_EXAMPLE } from './inventory.dto';

export const LOCATION_CODE_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$';
const MAX_PRIORITY = 1_000_000;
const DATE = { format: 'date-time', maxLength: 30, example: '2026-11-28T12:00:00.000Z' };

@ApiSchema({ description: 'The postal address of a stock location.' })
export class LocationAddressDto {
  /** Street and number. */
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Lagerstraße 12' })
  @IsString()
  @Matches(/\S/, { message: 'line1 must not be blank' })
  @MaxCodePoints(200)
  line1: string;

  /** City. */
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Berlin' })
  @IsString()
  @Matches(/\S/, { message: 'city must not be blank' })
  @MaxCodePoints(100)
  city: string;

  /** Postal code. */
  @ApiProperty({ minLength: 1, maxLength: 20, example: '10115' })
  @IsString()
  @Matches(/\S/, { message: 'postalCode must not be blank' })
  @MaxCodePoints(20)
  postalCode: string;

  /** ISO 3166-1 alpha-2 country code, upper case. */
  @ApiProperty({ minLength: 2, maxLength: 2, pattern: '^[A-Z]{2}$', example: 'DE' })
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be two upper-case letters' })
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code' })
  country: string;
}

const latitude = { type: 'number', format: 'double', minimum: -90, maximum: 90, nullable: true, example: 52.531 } as const;
const longitude = { type: 'number', format: 'double', minimum: -180, maximum: 180, nullable: true, example: 13.3849 } as const;
/** An optional coordinate in decimal degrees within the schema's range; null clears it. */
const CoordinateField = (schema: typeof latitude | typeof longitude) =>
  applyDecorators(
    ApiPropertyOptional(schema),
    ValidateIf((_, value) => value !== undefined && value !== null),
    IsNumber({ allowNaN: false, allowInfinity: false }),
    Min(schema.minimum),
    Max(schema.maximum),
  );

@ApiSchema({ description: 'A place that holds stock: a warehouse or a shop.' })
export class StockLocationDto {
  /** Public id (UUIDv7). */
  @ApiProperty({ format: 'uuid', minLength: 36, maxLength: 36, example: LOCATION_ID_EXAMPLE })
  id: string;

  /** Unique short handle: lower-case letters, digits and single hyphens. */
  @ApiProperty({ minLength: 1, maxLength: 32, pattern: LOCATION_CODE_PATTERN, example: 'berlin-1' })
  code: string;

  /** Display name. */
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Berlin warehouse' })
  name: string;

  /** Postal address. */
  @ApiProperty({ type: LocationAddressDto })
  address: LocationAddressDto;

  /** Latitude in decimal degrees (6 decimals kept); null when unknown. */
  @ApiProperty(latitude)
  latitude: number | null;

  /** Longitude in decimal degrees (6 decimals kept); null when unknown. */
  @ApiProperty(longitude)
  longitude: number | null;

  /** Reservation order: stock is taken from the active location with the lowest priority first (ties by code). */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_PRIORITY, example: 10 })
  priority: number;

  /** Inactive locations keep their stock but are never reserved from nor counted as available. */
  @ApiProperty({ example: true })
  active: boolean;

  /** When the location was created (UTC). */
  @ApiProperty(DATE)
  createdAt: string;

  /** When it last changed (UTC). */
  @ApiProperty(DATE)
  updatedAt: string;
}

@ApiSchema({ description: 'A new stock location.' })
export class CreateStockLocationDto {
  /** Unique short handle: lower-case letters, digits and single hyphens (409 when taken). */
  @ApiProperty({ minLength: 1, maxLength: 32, pattern: LOCATION_CODE_PATTERN, example: 'berlin-1' })
  @IsString()
  @MaxCodePoints(32)
  @Matches(new RegExp(LOCATION_CODE_PATTERN), { message: 'code must be lower-case letters, digits and single hyphens' })
  code: string;

  /** Display name. */
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Berlin warehouse' })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxCodePoints(100)
  name: string;

  /** Postal address. */
  @ApiProperty({ type: LocationAddressDto })
  @IsObject()
  @ValidateNested()
  @Type(() => LocationAddressDto)
  address: LocationAddressDto;

  /** Latitude in decimal degrees; give it together with longitude (422 otherwise). */
  @CoordinateField(latitude)
  latitude?: number | null;

  /** Longitude in decimal degrees; give it together with latitude (422 otherwise). */
  @CoordinateField(longitude)
  longitude?: number | null;

  /** Reservation order, lowest first; 0 when omitted. */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_PRIORITY, default: 0, example: 10 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_PRIORITY)
  priority?: number;

  /** Whether stock here can be sold; true when omitted. */
  @ApiPropertyOptional({ default: true, example: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@ApiSchema({ description: 'Changes to a stock location; omitted fields stay as they are.' })
export class UpdateStockLocationDto {
  /** Unique short handle (409 when taken). */
  @ApiPropertyOptional({ minLength: 1, maxLength: 32, pattern: LOCATION_CODE_PATTERN, example: 'berlin-2' })
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @MaxCodePoints(32)
  @Matches(new RegExp(LOCATION_CODE_PATTERN), { message: 'code must be lower-case letters, digits and single hyphens' })
  code?: string;

  /** Display name. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 100, example: 'Berlin central warehouse' })
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxCodePoints(100)
  name?: string;

  /** Replaces the whole address. */
  @ApiPropertyOptional({ type: LocationAddressDto })
  @ValidateIf((_, value) => value !== undefined)
  @IsObject()
  @ValidateNested()
  @Type(() => LocationAddressDto)
  address?: LocationAddressDto;

  /** Latitude; null clears it (with longitude: both or neither). */
  @CoordinateField(latitude)
  latitude?: number | null;

  /** Longitude; null clears it (with latitude: both or neither). */
  @CoordinateField(longitude)
  longitude?: number | null;

  /** Reservation order, lowest first. */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_PRIORITY, example: 20 })
  @ValidateIf((_, value) => value !== undefined)
  @IsInt()
  @Min(0)
  @Max(MAX_PRIORITY)
  priority?: number;

  /** false stops reservations from this location and removes its stock from availability. */
  @ApiPropertyOptional({ example: false })
  @ValidateIf((_, value) => value !== undefined)
  @IsBoolean()
  active?: boolean;
}
