import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiSchema, type ExamplesObject } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/pagination';
import { MaxCodePoints } from '../../common/validation/max-code-points';
import { ProductStatus } from '../entities/product.entity';
import { SLUG_PATTERN } from './category.dto';
import { IsStringMap, stringMapSchema } from './string-map';

const UUID_EXAMPLE = '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e';
export const CURRENCIES: readonly string[] = Intl.supportedValuesOf('currency');
const MAX_AMOUNT = 2_147_483_647;
const MAX_VARIANTS = 100;
/** A MySQL TEXT holds 65,535 bytes: 16,000 code points of up to 4 bytes each fit. */
const MAX_DESCRIPTION = 16_000;
const MAX_CATEGORIES = 50;
const ATTRIBUTES = [50, 50, 200] as const;
const OPTIONS = [10, 50, 100] as const;
const SKU_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';

/** Statuses a PATCH may set; `archived` is reached through archiveProduct only. */
export enum EditableProductStatus {
  Draft = 'draft',
  Active = 'active',
}

export enum ProductSort {
  Newest = 'newest',
  Name = 'name',
  /** Lowest variant price, cheapest first. */
  Price = 'price',
  /** Lowest variant price, dearest first. */
  PriceDesc = 'price_desc',
  /** Best match first; only with `q`, and its default. */
  Relevance = 'relevance',
}

export const MAX_SEARCH_LENGTH = 200;
export const MAX_ATTRIBUTE_FILTERS = 10;
/** `name:value`: an attribute name (no colon) and its exact value. */
const ATTRIBUTE_FILTER_PATTERN = '^[^:\\u0000-\\u001f\\u007f]{1,50}:[^\\u0000-\\u001f\\u007f]{0,200}$';

const amount = (example: number) => ({ type: 'integer' as const, format: 'int32', minimum: 0, maximum: MAX_AMOUNT, example });

// The optional, nullable variant fields read the same when a variant is created and when it changes.
const CompareAtAmountField = () => applyDecorators(ApiPropertyOptional({ ...amount(2499), nullable: true }), IsOptional(), IsInt(), Min(0), Max(MAX_AMOUNT));
const WeightGramsField = () =>
  applyDecorators(
    ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_AMOUNT, nullable: true, example: 180 }),
    IsOptional(),
    IsInt(),
    Min(0),
    Max(MAX_AMOUNT),
  );
const BarcodeField = () =>
  applyDecorators(
    ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$', example: '4006381333931' }),
    IsOptional(),
    IsString(),
    MaxCodePoints(64),
    Matches(/^[A-Za-z0-9-]+$/, { message: 'barcode must be letters, digits and hyphens' }),
  );

/** A purchasable variant of a product (one size/colour combination). */
@ApiSchema({ description: 'A purchasable variant of a product (one size/colour combination).' })
export class VariantDto {
  /** Public id (UUIDv7). */
  @ApiProperty({ format: 'uuid', minLength: 36, maxLength: 36, example: UUID_EXAMPLE })
  id: string;

  /** Stock keeping unit, unique across the catalog. */
  @ApiProperty({ minLength: 1, maxLength: 64, pattern: SKU_PATTERN, example: 'TSHIRT-RED-M' })
  sku: string;

  /** Option name → value, e.g. size and colour. */
  @ApiProperty({ ...stringMapSchema(...OPTIONS, { size: 'M', colour: 'red' }) })
  options: Record<string, string>;

  /** Price in minor units of `currency` (cents for EUR). */
  @ApiProperty(amount(1999))
  priceAmount: number;

  /** ISO 4217 currency code. */
  @ApiProperty({ minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$', example: 'EUR' })
  currency: string;

  /** The former or list price shown struck through, in minor units; always above `priceAmount`. */
  @ApiProperty({ ...amount(2499), nullable: true })
  compareAtAmount: number | null;

  /** Shipping weight in grams. */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_AMOUNT, nullable: true, example: 180 })
  weightGrams: number | null;

  /** Barcode (EAN, UPC, ...). */
  @ApiProperty({ type: String, nullable: true, minLength: 1, maxLength: 64, example: '4006381333931' })
  barcode: string | null;

  /** When the variant was created (UTC). */
  @ApiProperty({ format: 'date-time', maxLength: 30, example: '2026-11-28T12:00:00.000Z' })
  createdAt: string;

  /** When the variant last changed (UTC). */
  @ApiProperty({ format: 'date-time', maxLength: 30, example: '2026-11-28T12:00:00.000Z' })
  updatedAt: string;
}

/** A product with its variants and categories. */
@ApiSchema({ description: 'A product with its variants and categories.' })
export class ProductDto {
  /** Public id (UUIDv7). */
  @ApiProperty({ format: 'uuid', minLength: 36, maxLength: 36, example: UUID_EXAMPLE })
  id: string;

  /** Unique URL name: lower-case letters, digits and single hyphens. */
  @ApiProperty({ minLength: 1, maxLength: 120, pattern: SLUG_PATTERN, example: 'classic-t-shirt' })
  slug: string;

  /** Display name. */
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Classic T-shirt' })
  name: string;

  /** Long description (plain text). */
  @ApiProperty({ type: String, nullable: true, maxLength: MAX_DESCRIPTION, example: 'Soft organic cotton.' })
  description: string | null;

  /** `draft` and `archived` products are visible to staff only. */
  @ApiProperty({ enum: ProductStatus, enumName: 'ProductStatus', example: ProductStatus.Active })
  status: ProductStatus;

  /** Brand name. */
  @ApiProperty({ type: String, nullable: true, minLength: 1, maxLength: 100, example: 'Acme' })
  brand: string | null;

  /** Free-form attributes: name → value. */
  @ApiProperty({ ...stringMapSchema(...ATTRIBUTES, { material: 'cotton', fit: 'regular' }) })
  attributes: Record<string, string>;

  /** Categories the product is listed in. */
  @ApiProperty({ type: [String], format: 'uuid', minLength: 36, maxLength: 36, maxItems: MAX_CATEGORIES, uniqueItems: true, example: [UUID_EXAMPLE] })
  categoryIds: string[];

  /** The variants, oldest first; at least one. */
  @ApiProperty({ type: [VariantDto], minItems: 1, maxItems: MAX_VARIANTS })
  variants: VariantDto[];

  /** When the product was created (UTC). */
  @ApiProperty({ format: 'date-time', maxLength: 30, example: '2026-11-28T12:00:00.000Z' })
  createdAt: string;

  /** When the product or one of its variants last changed (UTC). */
  @ApiProperty({ format: 'date-time', maxLength: 30, example: '2026-11-28T12:00:00.000Z' })
  updatedAt: string;
}

@ApiSchema({ description: 'A new variant of a product.' })
export class CreateVariantDto {
  /** Stock keeping unit, unique across the catalog. */
  @ApiProperty({ minLength: 1, maxLength: 64, pattern: SKU_PATTERN, example: 'TSHIRT-RED-M' })
  @IsString()
  @MaxCodePoints(64)
  @Matches(new RegExp(SKU_PATTERN), { message: 'sku must be letters, digits, dots, underscores and hyphens' })
  sku: string;

  /** Option name → value (at most 10 options, names up to 50 and values up to 100 characters). */
  @ApiPropertyOptional({ ...stringMapSchema(...OPTIONS, { size: 'M', colour: 'red' }) })
  @IsOptional()
  @IsStringMap(...OPTIONS)
  options?: Record<string, string>;

  /** Price in minor units of `currency`: a whole number, 0 or more. */
  @ApiProperty(amount(1999))
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT)
  priceAmount: number;

  /** ISO 4217 currency code, upper case. */
  @ApiProperty({ minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$', example: 'EUR' })
  @IsIn(CURRENCIES, { message: 'currency must be an ISO 4217 currency code such as EUR or USD' })
  currency: string;

  /** The former or list price in minor units; must be above `priceAmount` (422 otherwise). */
  @CompareAtAmountField()
  compareAtAmount?: number | null;

  /** Shipping weight in grams. */
  @WeightGramsField()
  weightGrams?: number | null;

  /** Barcode (EAN, UPC, ...). */
  @BarcodeField()
  barcode?: string | null;
}

/**
 * The request example of addVariant: another size of the T-shirt of createProduct's example, so
 * that trying both does not collide on the SKU (updateVariant's example renames one to TSHIRT-RED-L).
 */
export const ADD_VARIANT_EXAMPLES: ExamplesObject = {
  anotherSize: {
    summary: 'Another size of the example T-shirt',
    value: { sku: 'TSHIRT-RED-S', options: { size: 'S', colour: 'red' }, priceAmount: 1999, currency: 'EUR' },
  },
};

@ApiSchema({ description: 'Changes to a variant; omitted fields stay as they are, null clears a nullable one.' })
export class UpdateVariantDto {
  /** Stock keeping unit, unique across the catalog. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 64, pattern: SKU_PATTERN, example: 'TSHIRT-RED-L' })
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @MaxCodePoints(64)
  @Matches(new RegExp(SKU_PATTERN), { message: 'sku must be letters, digits, dots, underscores and hyphens' })
  sku?: string;

  /** Replaces all options. */
  @ApiPropertyOptional({ ...stringMapSchema(...OPTIONS, { size: 'L', colour: 'red' }) })
  @ValidateIf((_, value) => value !== undefined)
  @IsStringMap(...OPTIONS)
  options?: Record<string, string>;

  /** Price in minor units of `currency`: a whole number, 0 or more. */
  @ApiPropertyOptional(amount(1799))
  @ValidateIf((_, value) => value !== undefined)
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT)
  priceAmount?: number;

  /** ISO 4217 currency code, upper case. */
  @ApiPropertyOptional({ minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$', example: 'EUR' })
  @ValidateIf((_, value) => value !== undefined)
  @IsIn(CURRENCIES, { message: 'currency must be an ISO 4217 currency code such as EUR or USD' })
  currency?: string;

  /** The former or list price in minor units, above the price; null removes it. */
  @CompareAtAmountField()
  compareAtAmount?: number | null;

  /** Shipping weight in grams; null removes it. */
  @WeightGramsField()
  weightGrams?: number | null;

  /** Barcode (EAN, UPC, ...); null removes it. */
  @BarcodeField()
  barcode?: string | null;
}

@ApiSchema({ description: 'A new product with its first variants.' })
export class CreateProductDto {
  /** Unique URL name: lower-case letters, digits and single hyphens. */
  @ApiProperty({ minLength: 1, maxLength: 120, pattern: SLUG_PATTERN, example: 'classic-t-shirt' })
  @IsString()
  @MaxCodePoints(120)
  @Matches(new RegExp(SLUG_PATTERN), { message: 'slug must be lower-case letters, digits and single hyphens' })
  slug: string;

  /** Display name. */
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Classic T-shirt' })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxCodePoints(200)
  name: string;

  /** Long description (plain text). */
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_DESCRIPTION, example: 'Soft organic cotton.' })
  @IsOptional()
  @IsString()
  @MaxCodePoints(MAX_DESCRIPTION)
  description?: string | null;

  /** `draft` (the default, visible to staff only) or `active`. */
  @ApiPropertyOptional({ enum: EditableProductStatus, enumName: 'EditableProductStatus', default: EditableProductStatus.Draft, example: EditableProductStatus.Draft })
  @IsOptional()
  @IsIn(Object.values(EditableProductStatus))
  status?: EditableProductStatus;

  /** Brand name. */
  @ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 100, example: 'Acme' })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'brand must not be blank' })
  @MaxCodePoints(100)
  brand?: string | null;

  /** Free-form attributes: at most 50, names up to 50 and values up to 200 characters. */
  @ApiPropertyOptional({ ...stringMapSchema(...ATTRIBUTES, { material: 'cotton' }) })
  @IsOptional()
  @IsStringMap(...ATTRIBUTES)
  attributes?: Record<string, string>;

  /** Categories to list the product in; each must exist (404 otherwise). */
  @ApiPropertyOptional({ type: [String], format: 'uuid', minLength: 36, maxLength: 36, maxItems: MAX_CATEGORIES, uniqueItems: true, example: [UUID_EXAMPLE] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CATEGORIES)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  categoryIds?: string[];

  /** The variants, at least one. */
  @ApiProperty({ type: [CreateVariantDto], minItems: 1, maxItems: MAX_VARIANTS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_VARIANTS)
  @ValidateNested({ each: true })
  @Type(() => CreateVariantDto)
  variants: CreateVariantDto[];
}

@ApiSchema({ description: 'Changes to a product; omitted fields stay as they are, null clears a nullable one.' })
export class UpdateProductDto {
  /** Unique URL name: lower-case letters, digits and single hyphens. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 120, pattern: SLUG_PATTERN, example: 'classic-tee' })
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @MaxCodePoints(120)
  @Matches(new RegExp(SLUG_PATTERN), { message: 'slug must be lower-case letters, digits and single hyphens' })
  slug?: string;

  /** Display name. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, example: 'Classic tee' })
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxCodePoints(200)
  name?: string;

  /** Long description (plain text); null removes it. */
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_DESCRIPTION, example: 'Soft organic cotton.' })
  @IsOptional()
  @IsString()
  @MaxCodePoints(MAX_DESCRIPTION)
  description?: string | null;

  /** `draft` or `active`; an archived product is restored with restoreProduct first (422 otherwise). */
  @ApiPropertyOptional({ enum: EditableProductStatus, enumName: 'EditableProductStatus', example: EditableProductStatus.Active })
  @ValidateIf((_, value) => value !== undefined)
  @IsIn(Object.values(EditableProductStatus))
  status?: EditableProductStatus;

  /** Brand name; null removes it. */
  @ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 100, example: 'Acme' })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'brand must not be blank' })
  @MaxCodePoints(100)
  brand?: string | null;

  /** Replaces all attributes. */
  @ApiPropertyOptional({ ...stringMapSchema(...ATTRIBUTES, { material: 'linen' }) })
  @ValidateIf((_, value) => value !== undefined)
  @IsStringMap(...ATTRIBUTES)
  attributes?: Record<string, string>;

  /** Replaces the categories; each must exist (404 otherwise). */
  @ApiPropertyOptional({ type: [String], format: 'uuid', minLength: 36, maxLength: 36, maxItems: MAX_CATEGORIES, uniqueItems: true, example: [UUID_EXAMPLE] })
  @ValidateIf((_, value) => value !== undefined)
  @IsArray()
  @ArrayMaxSize(MAX_CATEGORIES)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  categoryIds?: string[];
}

export class ListProductsQueryDto extends PageQueryDto {
  /** Only products in this category or any of its descendants. */
  @ApiPropertyOptional({ format: 'uuid', minLength: 36, maxLength: 36, example: UUID_EXAMPLE })
  @IsOptional()
  @IsUUID()
  categoryId?: string;

  // Inline rather than the named ProductStatus, whose example (`draft`) the parameter would take: `active` is the
  // one status anybody may ask for.
  /** Staff only (catalog:write): products of this status; without it staff see every status. Others always get active products, and asking for another status is 403. */
  @ApiPropertyOptional({
    description: 'Staff only (catalog:write): products of this status; without it staff see every status. Others always get active products, and asking for another status is 403.',
    enum: ProductStatus,
    example: ProductStatus.Active,
  })
  @IsOptional()
  @IsIn(Object.values(ProductStatus), { message: `status must be one of: ${Object.values(ProductStatus).join(', ')}` })
  status?: ProductStatus;

  /** Only products with a variant priced at least this (minor units, any currency). */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_AMOUNT, example: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT)
  minPrice?: number;

  /** Only products with a variant priced at most this (minor units, any currency); with minPrice, the same variant must match both. */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_AMOUNT, example: 5000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT)
  maxPrice?: number;

  /** Word search over name and description (at most 200 characters); matches any of its words, best match first by default. */
  @ApiPropertyOptional({ minLength: 1, maxLength: MAX_SEARCH_LENGTH, example: 'organic cotton' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxCodePoints(MAX_SEARCH_LENGTH)
  q?: string;

  /** Only products whose attribute `name` has exactly this value, as `name:value`; repeat for several (all must match, at most 10). */
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', minLength: 2, maxLength: 251, pattern: ATTRIBUTE_FILTER_PATTERN },
    maxItems: MAX_ATTRIBUTE_FILTERS,
    example: ['material:cotton'],
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? (value as unknown[]) : [value]))
  @IsArray()
  @ArrayMaxSize(MAX_ATTRIBUTE_FILTERS)
  @IsString({ each: true })
  @Matches(new RegExp(ATTRIBUTE_FILTER_PATTERN), { each: true, message: 'each attribute must be name:value (name without a colon, value up to 200 characters)' })
  attribute?: string[];

  /**
   * `newest` (newest first; the default without `q`), `name` (A to Z), `price` (lowest variant price, cheapest first),
   * `price_desc` (dearest first) or `relevance` (best match first; the default with `q`, and only with `q`).
   */
  @ApiPropertyOptional({ enum: ProductSort, enumName: 'ProductSort', example: ProductSort.Newest })
  @IsOptional()
  @IsIn(Object.values(ProductSort), { message: `sort must be one of: ${Object.values(ProductSort).join(', ')}` })
  sort?: ProductSort;
}
