import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsInt, IsString, Max, Min, ValidateIf } from 'class-validator';
import { MaxCodePoints } from '../../common/validation/max-code-points';

const UUID_EXAMPLE = '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e';
export const MAX_ALT = 200;
export const MAX_POSITION = 10_000;
/** Documented bound of an upload; the enforced one is IMAGE_MAX_BYTES (5 MiB by default). */
export const DOCUMENTED_MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const IMAGE_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
const MEDIA_URL_EXAMPLE = `/v1/media/products/${UUID_EXAMPLE}/images/0193f2a5-0000-7000-8000-000000000001/w640.webp`;

/** One stored file of an image. */
@ApiSchema({ description: 'One stored file of a product image: the cleaned original or a WebP rendition.' })
export class ProductImageFileDto {
  /** `original`, or `w<width>` for a WebP rendition. */
  @ApiProperty({ description: '`original`, or `w<width>` for a WebP rendition.', minLength: 1, maxLength: 20, pattern: '^(original|w[0-9]{1,5})$', example: 'w640' })
  name: string;

  /** Where to fetch it: under STORAGE_PUBLIC_BASE_URL when set, otherwise the application's `/v1/media/...` path. */
  @ApiProperty({
    description: 'Where to fetch it: under STORAGE_PUBLIC_BASE_URL when set, otherwise the application\'s `/v1/media/...` path.',
    minLength: 1,
    maxLength: 2000,
    example: MEDIA_URL_EXAMPLE,
  })
  url: string;

  @ApiProperty({ description: 'Width in pixels.', type: 'integer', format: 'int32', minimum: 1, maximum: 1_000_000, example: 640 })
  width: number;

  @ApiProperty({ description: 'Height in pixels.', type: 'integer', format: 'int32', minimum: 1, maximum: 1_000_000, example: 427 })
  height: number;

  @ApiProperty({ description: 'Size in bytes.', type: 'integer', format: 'int64', minimum: 0, maximum: 1_000_000_000, example: 48213 })
  bytes: number;

  @ApiProperty({ description: 'Media type of the file.', enum: IMAGE_CONTENT_TYPES, example: 'image/webp' })
  contentType: string;
}

/** An image of a product. */
@ApiSchema({ description: 'An image of a product, with its cleaned original (metadata stripped) and WebP renditions.' })
export class ProductImageDto {
  @ApiProperty({ description: 'Public id (UUIDv7).', format: 'uuid', minLength: 36, maxLength: 36, example: UUID_EXAMPLE })
  id: string;

  @ApiProperty({ description: 'The product it belongs to.', format: 'uuid', minLength: 36, maxLength: 36, example: UUID_EXAMPLE })
  productId: string;

  @ApiProperty({ description: 'Display order, ascending; ties keep upload order.', type: 'integer', format: 'int32', minimum: 0, maximum: MAX_POSITION, example: 0 })
  position: number;

  @ApiProperty({ description: 'Alternative text for screen readers.', type: 'string', nullable: true, maxLength: MAX_ALT, example: 'Red T-shirt, front' })
  alt: string | null;

  @ApiProperty({ description: 'Width of the original in pixels (upright).', type: 'integer', format: 'int32', minimum: 1, maximum: 1_000_000, example: 1600 })
  width: number;

  @ApiProperty({ description: 'Height of the original in pixels (upright).', type: 'integer', format: 'int32', minimum: 1, maximum: 1_000_000, example: 1067 })
  height: number;

  @ApiProperty({ description: 'The upload re-encoded in its own format, upright and without metadata.', type: ProductImageFileDto })
  original: ProductImageFileDto;

  @ApiProperty({ description: 'WebP renditions narrower than the original (320, 640, 1280 px wide), narrowest first.', type: [ProductImageFileDto], maxItems: 10 })
  renditions: ProductImageFileDto[];

  @ApiProperty({ description: 'When it was uploaded (UTC).', format: 'date-time', maxLength: 30, example: '2026-11-28T10:00:00.000Z' })
  createdAt: string;
}

@ApiSchema({ description: 'The images of a product, ordered by position.' })
export class ProductImageListDto {
  @ApiProperty({ description: 'The images, ordered by position.', type: [ProductImageDto], maxItems: 1000 })
  data: ProductImageDto[];
}

/** Changes to an image; omitted fields stay as they are. */
@ApiSchema({ description: 'Changes to a product image; omitted fields stay as they are, null clears the alt text.' })
export class UpdateProductImageDto {
  @ApiPropertyOptional({ description: 'Alternative text; null clears it.', type: 'string', nullable: true, maxLength: MAX_ALT, example: 'Red T-shirt, back' })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsString()
  @MaxCodePoints(MAX_ALT)
  alt?: string | null;

  @ApiPropertyOptional({ description: 'New display position.', type: 'integer', format: 'int32', minimum: 0, maximum: MAX_POSITION, example: 1 })
  @ValidateIf((_, value) => value !== undefined)
  @IsInt()
  @Min(0)
  @Max(MAX_POSITION)
  position?: number;
}

/** The multipart form of an upload, for the OpenAPI document (the handler reads the parts itself). */
export const UPLOAD_IMAGE_SCHEMA = {
  type: 'object' as const,
  required: ['file'],
  additionalProperties: false,
  properties: {
    file: {
      type: 'string' as const,
      format: 'binary',
      maxLength: DOCUMENTED_MAX_IMAGE_BYTES,
      description: 'The image: JPEG, PNG or WebP, judged by its bytes (file name and part content type are ignored). At most IMAGE_MAX_BYTES (5 MiB by default).',
    },
    alt: { type: 'string' as const, maxLength: MAX_ALT, description: 'Alternative text for screen readers.', example: 'Red T-shirt, front' },
    position: {
      type: 'integer' as const,
      format: 'int32',
      minimum: 0,
      maximum: MAX_POSITION,
      description: 'Display position; by default after the product\'s last image.',
      example: 0,
    },
  },
};
