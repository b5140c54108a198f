import { Body, Controller, Get, Headers, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public, RequirePermissions } from '../auth/decorators';
import { Permission } from '../auth/permissions';
import { etagOf, matchesIfNoneMatch } from '../common/http/etag';
import { Page, PageQueryDto, Paginated } from '../common/pagination/pagination';
import { CachedCatalogRead, CatalogTags } from './catalog-cache';
import { ApiProblemResponses } from '../common/problem/problem.openapi';
import { CategoriesService } from './categories.service';
import { ETAG_HEADER, idParam, IfMatch, IfNoneMatch, LOCATION_HEADER, PublicRead } from './catalog.openapi';
import { requiredIfMatch } from './catalog.rules';
import { CategoryDto, CreateCategoryDto, UpdateCategoryDto } from './dto/category.dto';

@ApiTags('Catalog')
@Controller({ path: 'categories', version: '1' })
export class CategoriesController {
  constructor(private readonly categories: CategoriesService) {}

  @Get()
  @Public()
  @PublicRead({
    operationId: 'listCategories',
    summary: 'List the category tree',
    description:
      'A flat list of every category in depth-first order (sorted by `path`, so a category comes right before its subtree; ' +
      'siblings in creation order, `position` gives the display order). Build the tree from `parentId`. Cursor-paginated.',
  })
  @Paginated(CategoryDto)
  @CachedCatalogRead(() => [CatalogTags.all, CatalogTags.categories])
  @ApiProblemResponses(400, 401, 429)
  list(@Query() query: PageQueryDto): Promise<Page<CategoryDto>> {
    return this.categories.list(query);
  }

  @Get(':id')
  @Public()
  @PublicRead({
    operationId: 'getCategory',
    summary: 'Get one category',
    description: 'Carries an ETag; send it back in If-None-Match to get 304 while the category is unchanged.',
  })
  @idParam('id', 'category')
  @IfNoneMatch()
  @ApiOkResponse({ type: CategoryDto, description: 'The category.', headers: { ETag: ETAG_HEADER } })
  @ApiProblemResponses(400, 401, 404, 429)
  async get(
    @Param('id') id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CategoryDto | undefined> {
    const { category, version } = await this.categories.get(id);
    void reply.header('etag', etagOf(version));
    if (!matchesIfNoneMatch(ifNoneMatch, version)) return category;
    void reply.status(304);
    return undefined;
  }

  @Post()
  @ApiOperation({
    operationId: 'createCategory',
    summary: 'Create a category',
    description: 'Under `parentId` (404 when it does not exist) or as a root. 409 when the slug is taken.',
  })
  @RequirePermissions(Permission.CatalogWrite)
  @ApiCreatedResponse({ type: CategoryDto, description: 'The new category.', headers: { ETag: ETAG_HEADER, Location: LOCATION_HEADER } })
  @ApiProblemResponses(400, 404, 409, 422, 429)
  async create(@Body() body: CreateCategoryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<CategoryDto> {
    const { category, version } = await this.categories.create(body);
    void reply.header('etag', etagOf(version)).header('location', `/v1/categories/${category.id}`);
    return category;
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateCategory',
    summary: 'Change or move a category',
    description:
      'If-Match is required (428 without it, 412 when stale). A new `parentId` moves the category with its whole subtree; ' +
      'moving it under itself or one of its descendants is 422.',
  })
  @RequirePermissions(Permission.CatalogWrite)
  @idParam('id', 'category')
  @IfMatch(true, 'category')
  @ApiOkResponse({ type: CategoryDto, description: 'The changed category.', headers: { ETag: { ...ETAG_HEADER, description: 'New version of the category.' } } })
  @ApiProblemResponses(400, 404, 409, 412, 422, 428, 429)
  async update(
    @Param('id') id: string,
    @Body() body: UpdateCategoryDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CategoryDto> {
    const { category, version } = await this.categories.update(id, body, requiredIfMatch(ifMatch));
    void reply.header('etag', etagOf(version));
    return category;
  }
}
