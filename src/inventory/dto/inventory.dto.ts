import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min, NotEquals, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/pagination';
import { MaxCodePoints } from '../../common/validation/max-code-points';
import { StockMovementKind } from '../entities/stock-movement.entity';

export const UUID_EXAMPLE = '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e';
export const LOCATION_ID_EXAMPLE = '0193f2a4-7b3c-7000-8000-9b8c7d6e5f40';
export const SKU_EXAMPLE = 'TSHIRT-RED-M';
/** The most units one receipt or adjustment may move. */
export const MAX_STOCK_QUANTITY = 1_000_000;
/** Levels are 32-bit integers; totals over many locations may go further. */
const MAX_LEVEL = 2_147_483_647;
const MAX_REASON = 200;

const uuid = (example = UUID_EXAMPLE) => ({ format: 'uuid', minLength: 36, maxLength: 36, example });
const count = (example: number, maximum = MAX_LEVEL) => ({ type: 'integer' as const, format: 'int64', minimum: 0, maximum, example });
const DATE = { format: 'date-time', maxLength: 30, example: '2026-11-28T12:00:00.000Z' };

@ApiSchema({ description: 'Goods received into a location: on-hand stock goes up by `quantity` (a `received` movement).' })
export class ReceiveStockDto {
  /** The variant received. */
  @ApiProperty(uuid())
  @IsUUID()
  variantId: string;

  /** Where it was received. */
  @ApiProperty(uuid(LOCATION_ID_EXAMPLE))
  @IsUUID()
  locationId: string;

  /** Units received: a whole number from 1 to 1,000,000. */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_STOCK_QUANTITY, example: 24 })
  @IsInt()
  @Min(1)
  @Max(MAX_STOCK_QUANTITY)
  quantity: number;

  /** A note for the ledger, e.g. the delivery note number. */
  @ApiPropertyOptional({ minLength: 1, maxLength: MAX_REASON, example: 'Delivery note 4711' })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @MaxCodePoints(MAX_REASON)
  reason?: string;
}

@ApiSchema({ description: 'A correction of on-hand stock at a location (an `adjusted` movement), with its reason.' })
export class AdjustStockDto {
  /** The variant counted. */
  @ApiProperty(uuid())
  @IsUUID()
  variantId: string;

  /** Where. */
  @ApiProperty(uuid(LOCATION_ID_EXAMPLE))
  @IsUUID()
  locationId: string;

  /** Units to add (positive) or remove (negative); not 0. On-hand stock may not fall below zero nor below the reserved units (422). */
  @ApiProperty({
    description: 'Units to add (positive) or remove (negative); not 0. On-hand stock may not fall below zero nor below the reserved units (422).',
    type: 'integer',
    format: 'int32',
    minimum: -MAX_STOCK_QUANTITY,
    maximum: MAX_STOCK_QUANTITY,
    example: -2,
  })
  @IsInt()
  @NotEquals(0, { message: 'delta must not be 0' })
  @Min(-MAX_STOCK_QUANTITY)
  @Max(MAX_STOCK_QUANTITY)
  delta: number;

  /** Why, for the ledger: required. */
  @ApiProperty({ minLength: 1, maxLength: MAX_REASON, example: 'Damaged in storage' })
  @IsString()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @MaxCodePoints(MAX_REASON)
  reason: string;
}

@ApiSchema({ description: 'The low-stock threshold of a variant.' })
export class SetThresholdDto {
  /** The low-stock event fires when available stock is at or under this; null turns it off. */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_STOCK_QUANTITY, nullable: true, example: 5 })
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK_QUANTITY)
  lowStockThreshold: number | null;
}

@ApiSchema({ description: 'Stock of one variant at one location.' })
export class StockLevelDto {
  /** The variant. */
  @ApiProperty(uuid())
  variantId: string;

  /** Its SKU. */
  @ApiProperty({ minLength: 1, maxLength: 64, example: SKU_EXAMPLE })
  sku: string;

  /** The location. */
  @ApiProperty(uuid(LOCATION_ID_EXAMPLE))
  locationId: string;

  /** The location's code. */
  @ApiProperty({ minLength: 1, maxLength: 32, example: 'main' })
  locationCode: string;

  /** Whether the location is active (reserved from and counted as available). */
  @ApiProperty({ example: true })
  locationActive: boolean;

  /** Units physically there. */
  @ApiProperty(count(24))
  onHand: number;

  /** Units promised to orders; part of onHand. */
  @ApiProperty(count(2))
  reserved: number;

  /** onHand minus reserved. */
  @ApiProperty(count(22))
  available: number;

  /** When the level last changed (UTC). */
  @ApiProperty(DATE)
  updatedAt: string;
}

@ApiSchema({ description: 'Sums over every location.' })
export class StockTotalsDto {
  /** Units at all locations. */
  @ApiProperty(count(30, Number.MAX_SAFE_INTEGER))
  onHand: number;

  /** Units reserved at all locations. */
  @ApiProperty(count(2, Number.MAX_SAFE_INTEGER))
  reserved: number;

  /** Units that can be sold: onHand minus reserved at ACTIVE locations only. */
  @ApiProperty(count(28, Number.MAX_SAFE_INTEGER))
  available: number;
}

@ApiSchema({ description: 'The stock of a variant: per location, totals and its low-stock threshold.' })
export class VariantStockDto {
  /** The variant. */
  @ApiProperty(uuid())
  variantId: string;

  /** Its SKU. */
  @ApiProperty({ minLength: 1, maxLength: 64, example: SKU_EXAMPLE })
  sku: string;

  /** One entry per location that ever held the variant, by location priority. */
  @ApiProperty({ type: [StockLevelDto], maxItems: 1000 })
  levels: StockLevelDto[];

  /** Sums over the levels. */
  @ApiProperty({ type: StockTotalsDto })
  totals: StockTotalsDto;

  /**
   * The most units one order can take now: the largest `available` at a single ACTIVE location,
   * since checkout reserves each line from one location. What getVariantAvailability shows shoppers.
   */
  @ApiProperty(count(22, MAX_LEVEL))
  sellable: number;

  /** The low-stock threshold; null when none is set. */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_STOCK_QUANTITY, nullable: true, example: 5 })
  lowStockThreshold: number | null;

  /** True when a threshold is set and available stock is at or under it. */
  @ApiProperty({ example: false })
  lowStock: boolean;
}

@ApiSchema({ description: 'Whether a variant can be bought now.' })
export class AvailabilityDto {
  /** The variant. */
  @ApiProperty(uuid())
  variantId: string;

  /** Its SKU. */
  @ApiProperty({ minLength: 1, maxLength: 64, example: SKU_EXAMPLE })
  sku: string;

  /**
   * Units one order can take now: the most on hand minus reserved at any single active location.
   * Checkout reserves each line from one location, so stock spread over several is not added up.
   */
  @ApiProperty(count(12, Number.MAX_SAFE_INTEGER))
  available: number;

  /** Whether any of it can be ordered now (available > 0). */
  @ApiProperty({ example: true })
  inStock: boolean;
}

@ApiSchema({ description: 'One entry of the stock ledger.' })
export class StockMovementDto {
  /** Public id (UUIDv7, so ids sort by time). */
  @ApiProperty(uuid())
  id: string;

  /** The variant. */
  @ApiProperty(uuid())
  variantId: string;

  /** The location. */
  @ApiProperty(uuid(LOCATION_ID_EXAMPLE))
  locationId: string;

  /** What happened. */
  @ApiProperty({ enum: StockMovementKind, enumName: 'StockMovementKind', example: StockMovementKind.Received })
  kind: StockMovementKind;

  /** Change of on-hand units. */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: -MAX_LEVEL, maximum: MAX_LEVEL, example: 24 })
  onHandDelta: number;

  /** Change of reserved units. */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: -MAX_LEVEL, maximum: MAX_LEVEL, example: 0 })
  reservedDelta: number;

  /** Why, as given by staff or the system. */
  @ApiProperty({ type: String, nullable: true, maxLength: MAX_REASON, example: 'Delivery note 4711' })
  reason: string | null;

  /** Who made the change; null for the system (checkout, expiry, seeding) and service tokens. */
  @ApiProperty({ type: String, nullable: true, ...uuid(), example: null })
  actorId: string | null;

  /** The order the change belongs to, if any. */
  @ApiProperty({ type: String, nullable: true, ...uuid(), example: null })
  orderId: string | null;

  /** When (UTC). */
  @ApiProperty(DATE)
  createdAt: string;
}

const KINDS = Object.values(StockMovementKind);

export class ListMovementsQueryDto extends PageQueryDto {
  /** Only movements of this variant (404 when it does not exist). */
  @ApiPropertyOptional(uuid())
  @IsOptional()
  @IsUUID()
  variantId?: string;

  /** Only movements at this location (404 when it does not exist). */
  @ApiPropertyOptional(uuid(LOCATION_ID_EXAMPLE))
  @IsOptional()
  @IsUUID()
  locationId?: string;

  /** Only movements of this kind. */
  @ApiPropertyOptional({ enum: StockMovementKind, enumName: 'StockMovementKind', example: StockMovementKind.Adjusted })
  @IsOptional()
  @IsIn(KINDS, { message: `kind must be one of: ${KINDS.join(', ')}` })
  kind?: StockMovementKind;
}
