import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import { Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../auth/principal';
import { NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../common/problem/app-error';
import { FieldError, ValidationFailedException } from '../common/problem/problem';
import { AppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { ImageStore, StoredRendition } from '../media/image-store.service';
import { StorageService } from '../storage/storage.service';
import { isCatalogStaff, UUID } from './catalog.rules';
import { MAX_ALT, MAX_POSITION, ProductImageDto, ProductImageFileDto, UpdateProductImageDto } from './dto/product-image.dto';
import { ProductImage, ProductImageFile } from './entities/product-image.entity';
import { Product, ProductStatus } from './entities/product.entity';

/** What an upload request carried, once read and checked. */
export interface ImageUpload {
  bytes: Buffer;
  alt: string | null;
  position?: number;
}

/** File names under an image's prefix: the original in its own format, WebP renditions by width. */
export const IMAGE_FILE_PATTERN = /^(original\.(jpg|png|webp)|w[0-9]{1,5}\.webp)$/;

/** The storage prefix of one image; the media route serves exactly these keys. */
export const imagePrefix = (productId: string, imageId: string) => `products/${productId}/images/${imageId}`;

/**
 * Reads a multipart upload: exactly one file part `file`, optional `alt` and `position`. The
 * multipart plugin's limits (app.ts) stop a file at IMAGE_MAX_BYTES while it streams in, so an
 * oversized upload is refused (413) without being held in memory.
 */
export async function readImageUpload(request: FastifyRequest, maxBytes: number): Promise<ImageUpload> {
  if (!request.isMultipart()) {
    throw new UnsupportedMediaTypeError('Send the image as multipart/form-data with a file part named "file".');
  }
  const errors: FieldError[] = [];
  const fields: Record<string, string> = {};
  let bytes: Buffer | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || bytes) {
          part.file.resume();
          errors.push({ field: part.fieldname, message: `${part.fieldname} is not expected; send one file part named "file"` });
          continue;
        }
        bytes = await part.toBuffer();
      } else if (part.fieldname === 'alt' || part.fieldname === 'position') {
        fields[part.fieldname] = String(part.value);
      } else {
        errors.push({ field: part.fieldname, message: `property ${part.fieldname} should not exist` });
      }
    }
  } catch (error) {
    throw multipartError(error, maxBytes);
  }
  if (!bytes) errors.push({ field: 'file', message: 'file is required: a file part named "file"' });
  const alt = fields.alt === undefined || fields.alt === '' ? null : fields.alt;
  if (alt !== null && [...alt].length > MAX_ALT) errors.push({ field: 'alt', message: `alt must be at most ${MAX_ALT} characters` });
  let position: number | undefined;
  if (fields.position !== undefined) {
    position = /^[0-9]{1,5}$/.test(fields.position) ? Number(fields.position) : NaN;
    if (!(position <= MAX_POSITION)) errors.push({ field: 'position', message: `position must be a whole number from 0 to ${MAX_POSITION}` });
  }
  if (errors.length > 0 || !bytes) throw new ValidationFailedException(errors);
  return { bytes, alt, position };
}

/** The multipart plugin's limit errors as problems; anything else passes through. */
function multipartError(error: unknown, maxBytes: number): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    return new PayloadTooLargeError(`The image is larger than ${maxBytes} bytes.`, { maxBytes });
  }
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new PayloadTooLargeError('Send one file part ("file") and at most the fields "alt" and "position".');
  }
  return error;
}

/** Product images: upload (processed and stored through ImageStore), listing, alt text and order, removal. */
@Injectable()
export class ProductImagesService {
  private readonly logger = new Logger(ProductImagesService.name);

  constructor(
    @InjectRepository(ProductImage) private readonly images: Repository<ProductImage>,
    @InjectRepository(Product) private readonly products: Repository<Product>,
    private readonly imageStore: ImageStore,
    private readonly storage: StorageService,
    private readonly transactions: TransactionService,
    private readonly config: AppConfig,
  ) {}

  get maxBytes(): number {
    return this.config.images.maxBytes;
  }

  /** 404 unless the product exists (and, for callers who are not catalog staff, is active). */
  async requireProduct(id: string, viewer?: Principal): Promise<void> {
    const product = UUID.test(id) ? await this.products.findOne({ select: { id: true, status: true }, where: { id } }) : null;
    if (!product || (viewer !== undefined && product.status !== ProductStatus.Active && !isCatalogStaff(viewer))) {
      throw new NotFoundError('Product', id);
    }
  }

  async list(productId: string, viewer: Principal | undefined): Promise<ProductImageDto[]> {
    await this.requireProduct(productId, viewer ?? { roles: [], permissions: new Set() });
    const rows = await this.images.find({ where: { productId }, order: { position: 'ASC', id: 'ASC' } });
    return rows.map((row) => this.toDto(row));
  }

  async create(productId: string, upload: ImageUpload): Promise<ProductImageDto> {
    const id = uuidv7();
    const stored = await this.imageStore.store(imagePrefix(productId, id), upload.bytes);
    const file = ({ name, key, width, height, bytes, contentType }: StoredRendition): ProductImageFile => ({ name, key, width, height, bytes, contentType });
    try {
      const row = await this.transactions.run(async (manager) => {
        let position = upload.position;
        if (position === undefined) {
          const last = await manager
            .createQueryBuilder(ProductImage, 'i')
            .select('MAX(i.position)', 'max')
            .where('i.productId = :productId', { productId })
            .getRawOne<{ max: number | string | null }>();
          position = last?.max === null || last?.max === undefined ? 0 : Math.min(Number(last.max) + 1, MAX_POSITION);
        }
        const image: ProductImage = {
          id,
          productId,
          position,
          alt: upload.alt,
          width: stored.original.width,
          height: stored.original.height,
          original: file(stored.original),
          renditions: stored.renditions.map(file),
          createdAt: new Date(),
        };
        await manager.insert(ProductImage, image);
        return image;
      });
      return this.toDto(row);
    } catch (error) {
      await this.imageStore.remove(stored).catch((cleanup: Error) => this.logger.warn(`Could not remove the files of image ${id}: ${cleanup.message}`));
      throw error;
    }
  }

  async update(productId: string, imageId: string, input: UpdateProductImageDto): Promise<ProductImageDto> {
    const image = await this.find(productId, imageId);
    const changes: Partial<ProductImage> = {};
    if (input.alt !== undefined) changes.alt = input.alt === null || input.alt === '' ? null : input.alt;
    if (input.position !== undefined) changes.position = input.position;
    if (Object.keys(changes).length > 0) await this.images.update({ id: image.id }, changes);
    return this.toDto({ ...image, ...changes });
  }

  /** Deletes the row, then the files (a file left behind by a storage failure is logged, never served by id again). */
  async remove(productId: string, imageId: string): Promise<void> {
    const image = await this.find(productId, imageId);
    await this.images.delete({ id: image.id });
    await Promise.all([image.original, ...image.renditions].map((file) => this.storage.delete(file.key))).catch((error: Error) => this.logger.warn(`Could not remove the files of image ${image.id}: ${error.message}`));
  }

  private async find(productId: string, imageId: string): Promise<ProductImage> {
    await this.requireProduct(productId);
    const image = UUID.test(imageId) ? await this.images.findOne({ where: { id: imageId, productId } }) : null;
    if (!image) throw new NotFoundError('Image', imageId);
    return image;
  }

  private toDto(row: ProductImage): ProductImageDto {
    const file = (stored: ProductImageFile): ProductImageFileDto => ({
      name: stored.name,
      url: this.storage.publicUrl(stored.key) ?? `/v1/media/${stored.key}`,
      width: stored.width,
      height: stored.height,
      bytes: stored.bytes,
      contentType: stored.contentType,
    });
    return {
      id: row.id,
      productId: row.productId,
      position: row.position,
      alt: row.alt,
      width: row.width,
      height: row.height,
      original: file(row.original),
      renditions: row.renditions.map(file),
      createdAt: row.createdAt.toISOString(),
    };
  }
}
