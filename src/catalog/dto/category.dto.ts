import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min, ValidateIf } from 'class-validator';
import { MaxCodePoints } from '../../common/validation/max-code-points';

export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$';
const UUID_EXAMPLE = '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e';

/** A category of the catalog tree. */
@ApiSchema({ description: 'A category of the catalog tree.' })
export class CategoryDto {
  /** Public id (UUIDv7). */
  @ApiProperty({ format: 'uuid', minLength: 36, maxLength: 36, example: UUID_EXAMPLE })
  id: string;

  /** The parent category; null for a root category. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true, minLength: 36, maxLength: 36, example: null })
  parentId: string | null;

  /** Display name. */
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Shoes' })
  name: string;

  /** Unique URL name: lower-case letters, digits and single hyphens. */
  @ApiProperty({ minLength: 1, maxLength: 120, pattern: SLUG_PATTERN, example: 'shoes' })
  slug: string;

  /** Ids from the root down to this category, as `/<root id>/.../<own id>/`. */
  @ApiProperty({ minLength: 38, maxLength: 1000, pattern: '^(/[0-9a-f-]{36})+/$', example: `/${UUID_EXAMPLE}/` })
  path: string;

  /** How deep in the tree: 0 for a root category. */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 26, example: 0 })
  depth: number;

  /** Order among siblings, ascending. */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000, example: 0 })
  position: number;

  /** When the category was created (UTC). */
  @ApiProperty({ format: 'date-time', maxLength: 30, example: '2026-11-28T12:00:00.000Z' })
  createdAt: string;

  /** When the category last changed (UTC), moves of an ancestor included. */
  @ApiProperty({ format: 'date-time', maxLength: 30, example: '2026-11-28T12:00:00.000Z' })
  updatedAt: string;
}

@ApiSchema({ description: 'A new category.' })
export class CreateCategoryDto {
  /** The parent category; omit (or null) for a root category. */
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, minLength: 36, maxLength: 36, example: UUID_EXAMPLE })
  @IsOptional()
  @IsUUID()
  parentId?: string | null;

  /** Display name. */
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Running shoes' })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxCodePoints(100)
  name: string;

  /** Unique URL name: lower-case letters, digits and single hyphens. */
  @ApiProperty({ minLength: 1, maxLength: 120, pattern: SLUG_PATTERN, example: 'running-shoes' })
  @IsString()
  @MaxCodePoints(120)
  @Matches(new RegExp(SLUG_PATTERN), { message: 'slug must be lower-case letters, digits and single hyphens' })
  slug: string;

  /** Order among siblings, ascending; 0 when omitted. */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000, default: 0, example: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  position?: number;
}

@ApiSchema({ description: 'Changes to a category; omitted fields stay as they are.' })
export class UpdateCategoryDto {
  /** Moves the category (with its whole subtree) under another parent; null makes it a root. */
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, minLength: 36, maxLength: 36, example: UUID_EXAMPLE })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsUUID()
  parentId?: string | null;

  /** Display name. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 100, example: 'Trail shoes' })
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxCodePoints(100)
  name?: string;

  /** Unique URL name: lower-case letters, digits and single hyphens. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 120, pattern: SLUG_PATTERN, example: 'trail-shoes' })
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @MaxCodePoints(120)
  @Matches(new RegExp(SLUG_PATTERN), { message: 'slug must be lower-case letters, digits and single hyphens' })
  slug?: string;

  /** Order among siblings, ascending. */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000, example: 1 })
  @ValidateIf((_, value) => value !== undefined)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  position?: number;
}
