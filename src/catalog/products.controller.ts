import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public, RequirePermissions } from '../auth/decorators';
import { Permission } from '../auth/permissions';
import { OptionalPrincipal, type Principal } from '../auth/principal';
import { etagOf, matchesIfNoneMatch, versionFromIfMatch } from '../common/http/etag';
import { Page, Paginated } from '../common/pagination/pagination';
import { ApiProblemResponses } from '../common/problem/problem.openapi';
import { ETAG_HEADER, idParam, IfMatch, IfNoneMatch, LOCATION_HEADER, PublicRead } from './catalog.openapi';
import { CachedCatalogRead, CatalogTags } from './catalog-cache';
import { requiredIfMatch } from './catalog.rules';
import { ADD_VARIANT_EXAMPLES, CreateProductDto, CreateVariantDto, ListProductsQueryDto, ProductDto, UpdateProductDto, UpdateVariantDto } from './dto/product.dto';
import { ProductsService, VersionedProduct } from './products.service';

const PRODUCT_ETAG = { ETag: ETAG_HEADER };
/** Public reads answer staff differently (drafts, archived products), so shared caches must key on the token. */
const VARY_HEADER = {
  Vary: {
    description: '`Authorization`: the answer depends on who asks (staff see drafts and archived products).',
    required: true,
    schema: { type: 'string' as const, maxLength: 100, example: 'Authorization' },
  },
};
const PUBLIC_READ_HEADERS = { ...PRODUCT_ETAG, ...VARY_HEADER };

/** Adds Authorization to Vary, keeping what others (CORS) put there. */
function varyOnAuthorization(reply: FastifyReply): void {
  const current = reply.getHeader('vary');
  const values = typeof current === 'string' && current ? current.split(',').map((v) => v.trim()) : [];
  if (!values.includes('Authorization')) void reply.header('vary', [...values, 'Authorization'].join(', '));
}

function sendProduct(reply: FastifyReply, { product, version }: VersionedProduct, ifNoneMatch?: string): ProductDto | undefined {
  void reply.header('etag', etagOf(version));
  if (!matchesIfNoneMatch(ifNoneMatch, version)) return product;
  void reply.status(304);
  return undefined;
}

@ApiTags('Catalog')
@Controller({ path: 'products', version: '1' })
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  @Public({ identifyCaller: true })
  @PublicRead({
    operationId: 'listProducts',
    summary: 'List products',
    description:
      'Newest first (`sort=newest`, the default), by name (`sort=name`), by lowest variant price (`sort=price`, `sort=price_desc`) ' +
      'or, with a word search `q` (name and description, any of its words; operators and quotes are plain text), best match first ' +
      '(`sort=relevance`, the default with `q` and 400 without it). Filters: `categoryId` (the category and all its ' +
      'descendants; 404 when it does not exist), `minPrice`/`maxPrice` (some variant in range), `attribute=name:value` ' +
      '(exact value, repeatable, all must match). A cursor only continues the sort and search that issued it (400 otherwise). ' +
      'Anonymous callers and customers ' +
      'see active products only and get 403 when asking for another `status`; staff with catalog:write see every status ' +
      'unless they filter, so answers carry `Vary: Authorization`. Cursor-paginated: follow `nextCursor` or the `Link` header.',
  })
  @Paginated(ProductDto)
  @CachedCatalogRead(() => [CatalogTags.all, CatalogTags.products])
  @ApiProblemResponses(400, 401, 403, 404, 429)
  list(
    @Query() query: ListProductsQueryDto,
    @OptionalPrincipal() viewer: Principal | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Page<ProductDto>> {
    varyOnAuthorization(reply);
    return this.products.list(query, viewer);
  }

  @Get('by-slug/:slug')
  @Public({ identifyCaller: true })
  @PublicRead({
    operationId: 'getProductBySlug',
    summary: 'Get one product by its slug',
    description: 'As getProduct, addressed by slug.',
  })
  @ApiParam({
    name: 'slug',
    description: 'The product\'s unique URL name.',
    schema: { type: 'string', minLength: 1, maxLength: 120, pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', example: 'classic-t-shirt' },
  })
  @IfNoneMatch()
  @ApiOkResponse({ type: ProductDto, description: 'The product with its variants.', headers: PUBLIC_READ_HEADERS })
  @ApiProblemResponses(400, 401, 404, 429)
  @CachedCatalogRead(() => [CatalogTags.all, CatalogTags.products])
  async getBySlug(
    @Param('slug') slug: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @OptionalPrincipal() viewer: Principal | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductDto | undefined> {
    varyOnAuthorization(reply);
    return sendProduct(reply, await this.products.get({ slug }, viewer), ifNoneMatch);
  }

  @Get(':id')
  @Public({ identifyCaller: true })
  @PublicRead({
    operationId: 'getProduct',
    summary: 'Get one product',
    description:
      'With its variants and category ids. Draft and archived products are 404 except for staff with catalog:write. ' +
      'Carries an ETag (it changes with any variant too); send it back in If-None-Match to get 304 while unchanged.',
  })
  @idParam('id', 'product')
  @IfNoneMatch()
  @ApiOkResponse({ type: ProductDto, description: 'The product with its variants.', headers: PUBLIC_READ_HEADERS })
  @ApiProblemResponses(400, 401, 404, 429)
  @CachedCatalogRead((params) => [CatalogTags.all, CatalogTags.product(params.id)])
  async get(
    @Param('id') id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @OptionalPrincipal() viewer: Principal | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductDto | undefined> {
    varyOnAuthorization(reply);
    return sendProduct(reply, await this.products.get({ id }, viewer), ifNoneMatch);
  }

  @Post()
  @ApiOperation({
    operationId: 'createProduct',
    summary: 'Create a product',
    description:
      'With at least one variant. Status defaults to `draft`. 409 when the slug or a SKU is taken, 404 for an unknown ' +
      'category, 422 when a compare-at amount is not above its price.',
  })
  @RequirePermissions(Permission.CatalogWrite)
  @ApiCreatedResponse({ type: ProductDto, description: 'The new product.', headers: { ...PRODUCT_ETAG, Location: LOCATION_HEADER } })
  @ApiProblemResponses(400, 404, 409, 422, 429)
  async create(@Body() body: CreateProductDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ProductDto | undefined> {
    const created = await this.products.create(body);
    void reply.header('location', `/v1/products/${created.product.id}`);
    return sendProduct(reply, created);
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateProduct',
    summary: 'Change a product',
    description:
      'If-Match is required (428 without it, 412 when stale). `status` may be `draft` or `active`; archived products are ' +
      'restored with restoreProduct first (422). `attributes` and `categoryIds` replace the current ones.',
  })
  @RequirePermissions(Permission.CatalogWrite)
  @idParam('id', 'product')
  @IfMatch(true, 'product')
  @ApiOkResponse({ type: ProductDto, description: 'The changed product.', headers: PRODUCT_ETAG })
  @ApiProblemResponses(400, 404, 409, 412, 422, 428, 429)
  async update(
    @Param('id') id: string,
    @Body() body: UpdateProductDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductDto | undefined> {
    return sendProduct(reply, await this.products.update(id, body, requiredIfMatch(ifMatch)));
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'archiveProduct',
    summary: 'Archive a product',
    description: 'Hides it from shoppers (status `archived`); archiving an archived product changes nothing. If-Match is optional.',
  })
  @RequirePermissions(Permission.CatalogWrite)
  @idParam('id', 'product')
  @IfMatch(false, 'product')
  @ApiOkResponse({ type: ProductDto, description: 'The archived product.', headers: PRODUCT_ETAG })
  @ApiProblemResponses(400, 404, 412, 429)
  async archive(
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductDto | undefined> {
    return sendProduct(reply, await this.products.setArchived(id, true, versionFromIfMatch(ifMatch)));
  }

  @Post(':id/restore')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'restoreProduct',
    summary: 'Restore an archived product',
    description: 'Back to `draft`; 422 when the product is not archived. If-Match is optional.',
  })
  @RequirePermissions(Permission.CatalogWrite)
  @idParam('id', 'product')
  @IfMatch(false, 'product')
  @ApiOkResponse({ type: ProductDto, description: 'The restored product, now a draft.', headers: PRODUCT_ETAG })
  @ApiProblemResponses(400, 404, 412, 422, 429)
  async restore(
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductDto | undefined> {
    return sendProduct(reply, await this.products.setArchived(id, false, versionFromIfMatch(ifMatch)));
  }

  @Post(':id/variants')
  @ApiOperation({
    operationId: 'addVariant',
    summary: 'Add a variant to a product',
    description:
      'Answers the whole product (its ETag changes); Location names the new variant. 409 when the SKU is taken, 422 when the ' +
      'compare-at amount is not above the price. If-Match (the product\'s ETag) is optional.',
  })
  @RequirePermissions(Permission.CatalogWrite)
  @idParam('id', 'product')
  @IfMatch(false, 'product')
  @ApiBody({ type: CreateVariantDto, examples: ADD_VARIANT_EXAMPLES })
  @ApiCreatedResponse({
    type: ProductDto,
    description: 'The product with the new variant.',
    headers: { ...PRODUCT_ETAG, Location: { ...LOCATION_HEADER, description: 'Path of the new variant (it is changed with updateVariant).' } },
  })
  @ApiProblemResponses(400, 404, 409, 412, 422, 429)
  async addVariant(
    @Param('id') id: string,
    @Body() body: CreateVariantDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductDto | undefined> {
    const result = await this.products.addVariant(id, body, versionFromIfMatch(ifMatch));
    void reply.header('location', `/v1/products/${id}/variants/${result.variantId}`);
    return sendProduct(reply, result);
  }

  @Patch(':id/variants/:variantId')
  @ApiOperation({
    operationId: 'updateVariant',
    summary: 'Change a variant',
    description:
      'If-Match is required and carries the PRODUCT\'s ETag (the product version covers its variants): 428 without it, ' +
      '412 when stale. Answers the whole product. 409 when the new SKU is taken, 422 when the compare-at amount would not be above the price.',
  })
  @RequirePermissions(Permission.CatalogWrite)
  @idParam('id', 'product')
  @idParam('variantId', 'variant')
  @IfMatch(true, 'product')
  @ApiOkResponse({ type: ProductDto, description: 'The product with the changed variant.', headers: PRODUCT_ETAG })
  @ApiProblemResponses(400, 404, 409, 412, 422, 428, 429)
  async updateVariant(
    @Param('id') id: string,
    @Param('variantId') variantId: string,
    @Body() body: UpdateVariantDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductDto | undefined> {
    return sendProduct(reply, await this.products.updateVariant(id, variantId, body, requiredIfMatch(ifMatch)));
  }
}
