import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public, RequirePermissions } from '../auth/decorators';
import { Permission } from '../auth/permissions';
import { OptionalPrincipal, type Principal } from '../auth/principal';
import { NotFoundError } from '../common/problem/app-error';
import { ApiProblemResponse, ApiProblemResponses } from '../common/problem/problem.openapi';
import { IMAGE_CACHE_CONTROL } from '../media/image-store.service';
import { StorageService } from '../storage/storage.service';
import { idParam, LOCATION_HEADER, PublicRead } from './catalog.openapi';
import { UUID } from './catalog.rules';
import {
  DOCUMENTED_MAX_IMAGE_BYTES,
  IMAGE_CONTENT_TYPES,
  ProductImageDto,
  ProductImageListDto,
  UPLOAD_IMAGE_SCHEMA,
  UpdateProductImageDto,
} from './dto/product-image.dto';
import { IMAGE_FILE_PATTERN, imagePrefix, ProductImagesService, readImageUpload } from './product-images.service';

@ApiTags('Catalog')
@Controller({ path: 'products/:id/images', version: '1' })
export class ProductImagesController {
  constructor(private readonly images: ProductImagesService) {}

  @Get()
  @Public({ identifyCaller: true })
  @PublicRead({
    operationId: 'listProductImages',
    summary: 'List the images of a product',
    description: 'Ordered by position, then upload order. 404 for a product the caller may not see (drafts and archived ones are staff-only).',
  })
  @idParam('id', 'product')
  @ApiOkResponse({ type: ProductImageListDto, description: 'The product\'s images.' })
  @ApiProblemResponses(400, 401, 404, 429)
  async list(@Param('id') id: string, @OptionalPrincipal() viewer: Principal | undefined): Promise<ProductImageListDto> {
    return { data: await this.images.list(id, viewer) };
  }

  @Post()
  @ApiOperation({
    operationId: 'uploadProductImage',
    summary: 'Upload an image of a product',
    description:
      'multipart/form-data with one file part `file` and optional fields `alt` and `position` (default: after the last image). ' +
      'The bytes decide the type (JPEG, PNG or WebP; file name and declared type are ignored): anything else, including a file ' +
      'that only claims to be an image, is 415. Over IMAGE_MAX_BYTES (5 MiB by default) is 413, refused while streaming; more ' +
      'pixels than IMAGE_MAX_PIXELS (40 million by default, judged from the header) or an undecodable image is 422. Metadata ' +
      '(EXIF with GPS, XMP, ICC) is stripped, the image turned upright, and WebP renditions 320, 640 and 1280 px wide are made ' +
      'when the image is wider. A body that is not multipart/form-data is 415.',
  })
  @RequirePermissions(Permission.CatalogWrite)
  @idParam('id', 'product')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: UPLOAD_IMAGE_SCHEMA, description: 'The image and its optional alt text and position.' })
  @ApiCreatedResponse({ type: ProductImageDto, description: 'The stored image.', headers: { Location: { ...LOCATION_HEADER, description: 'Path of the new image (change it with updateProductImage).' } } })
  @ApiProblemResponses(400, 404, 429)
  @ApiProblemResponse(413, 'The file is larger than IMAGE_MAX_BYTES, or the form has more parts than allowed.', { maxBytes: DOCUMENTED_MAX_IMAGE_BYTES })
  @ApiProblemResponse(415, 'The body is not multipart/form-data, or the file is not a JPEG, PNG or WebP image by its bytes.', { accepted: [...IMAGE_CONTENT_TYPES] })
  @ApiProblemResponse(422, 'The image has more pixels than IMAGE_MAX_PIXELS, or cannot be decoded.', { maxPixels: 40_000_000 })
  async upload(
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductImageDto> {
    await this.images.requireProduct(id);
    const image = await this.images.create(id, await readImageUpload(request, this.images.maxBytes));
    void reply.header('location', `/v1/products/${id}/images/${image.id}`);
    return image;
  }

  @Patch(':imageId')
  @ApiOperation({
    operationId: 'updateProductImage',
    summary: 'Change an image\'s alt text or position',
    description: 'Omitted fields stay as they are; `alt: null` clears the alt text. The files do not change.',
  })
  @RequirePermissions(Permission.CatalogWrite)
  @idParam('id', 'product')
  @idParam('imageId', 'image')
  @ApiOkResponse({ type: ProductImageDto, description: 'The changed image.' })
  @ApiProblemResponses(400, 404, 415, 429)
  update(@Param('id') id: string, @Param('imageId') imageId: string, @Body() body: UpdateProductImageDto): Promise<ProductImageDto> {
    return this.images.update(id, imageId, body);
  }

  @Delete(':imageId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteProductImage', summary: 'Delete an image', description: 'Removes its files from storage too.' })
  @RequirePermissions(Permission.CatalogWrite)
  @idParam('id', 'product')
  @idParam('imageId', 'image')
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblemResponses(400, 404, 429)
  async remove(@Param('id') id: string, @Param('imageId') imageId: string): Promise<void> {
    await this.images.remove(id, imageId);
  }
}

const binary = { schema: { type: 'string' as const, format: 'binary', maxLength: 100 * 1024 * 1024 } };

/** Serves the stored files of product images when STORAGE_PUBLIC_BASE_URL does not point clients elsewhere. */
@ApiTags('Catalog')
@Controller({ path: 'media/products/:productId/images/:imageId', version: '1' })
export class ProductMediaController {
  constructor(private readonly storage: StorageService) {}

  @Get(':file')
  @Public()
  @ApiOperation({
    operationId: 'getProductImageFile',
    summary: 'Fetch a stored image file',
    description:
      'The URLs in ProductImage lead here unless STORAGE_PUBLIC_BASE_URL is set. A file never changes under its URL (a new ' +
      'upload gets a new image id), so it is cached for a year as immutable. 404 once the image is deleted.',
    security: [],
  })
  @idParam('productId', 'product')
  @idParam('imageId', 'image')
  @ApiParam({
    name: 'file',
    description: '`original.<jpg|png|webp>` or a WebP rendition `w<width>.webp`.',
    schema: { type: 'string', maxLength: 20, pattern: IMAGE_FILE_PATTERN.source, example: 'w640.webp' },
  })
  @ApiProduces(...IMAGE_CONTENT_TYPES)
  @ApiOkResponse({
    description: 'The image file.',
    content: Object.fromEntries(IMAGE_CONTENT_TYPES.map((type) => [type, binary])),
    headers: {
      'Cache-Control': {
        description: `\`${IMAGE_CACHE_CONTROL}\`: the content under this URL never changes.`,
        required: true,
        schema: { type: 'string', maxLength: 100, example: IMAGE_CACHE_CONTROL },
      },
    },
  })
  @ApiProblemResponses(400, 404, 429)
  async file(
    @Param('productId') productId: string,
    @Param('imageId') imageId: string,
    @Param('file') file: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const key = `${imagePrefix(productId, imageId)}/${file}`;
    if (!UUID.test(productId) || !UUID.test(imageId) || !IMAGE_FILE_PATTERN.test(file)) throw new NotFoundError('File', key);
    const stored = await this.storage.get(key);
    void reply.header('cache-control', stored.cacheControl ?? IMAGE_CACHE_CONTROL);
    // Helmet says same-origin; images are meant to be embedded by shop front ends on other origins.
    void reply.header('cross-origin-resource-policy', 'cross-origin');
    return new StreamableFile(stored.body, { type: stored.contentType, length: stored.contentLength });
  }
}
