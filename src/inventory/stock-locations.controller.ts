import { Body, Controller, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermissions } from '../auth/decorators';
import { Permission } from '../auth/permissions';
import { idParam, LOCATION_HEADER } from '../catalog/catalog.openapi';
import { Page, PageQueryDto, Paginated } from '../common/pagination/pagination';
import { ApiProblemResponses } from '../common/problem/problem.openapi';
import { CreateStockLocationDto, StockLocationDto, UpdateStockLocationDto } from './dto/stock-location.dto';
import { StockLocationsService } from './stock-locations.service';

@ApiTags('Inventory')
@Controller({ path: 'stock-locations', version: '1' })
export class StockLocationsController {
  constructor(private readonly locations: StockLocationsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listStockLocations',
    summary: 'List stock locations',
    description: 'In reservation order: priority ascending, then code. Cursor-paginated: follow `nextCursor` or the `Link` header.',
  })
  @RequirePermissions(Permission.InventoryRead)
  @Paginated(StockLocationDto)
  @ApiProblemResponses(400, 429)
  list(@Query() query: PageQueryDto): Promise<Page<StockLocationDto>> {
    return this.locations.list(query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getStockLocation', summary: 'Get one stock location', description: 'Its address, coordinates, priority (lower is reserved from first) and whether it is active.' })
  @RequirePermissions(Permission.InventoryRead)
  @idParam('id', 'stock location')
  @ApiOkResponse({ type: StockLocationDto, description: 'The location.' })
  @ApiProblemResponses(400, 404, 429)
  get(@Param('id') id: string): Promise<StockLocationDto> {
    return this.locations.get(id);
  }

  @Post()
  @ApiOperation({
    operationId: 'createStockLocation',
    summary: 'Create a stock location',
    description: 'A warehouse or shop. 409 when the code is taken; 422 when only one of latitude and longitude is given.',
  })
  @RequirePermissions(Permission.InventoryWrite)
  @ApiCreatedResponse({
    type: StockLocationDto,
    description: 'The new location.',
    headers: { Location: { ...LOCATION_HEADER, schema: { ...LOCATION_HEADER.schema, example: '/v1/stock-locations/0193f2a4-7b3c-7000-8000-9b8c7d6e5f40' } } },
  })
  @ApiProblemResponses(400, 409, 422, 429)
  async create(@Body() body: CreateStockLocationDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<StockLocationDto> {
    const location = await this.locations.create(body);
    void reply.header('location', `/v1/stock-locations/${location.id}`);
    return location;
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateStockLocation',
    summary: 'Change a stock location',
    description:
      'Omitted fields stay as they are; `address` is replaced whole. Deactivating a location keeps its stock but stops ' +
      'reservations from it and removes it from availability. 409 when the new code is taken; 422 when latitude and longitude would not come together.',
  })
  @RequirePermissions(Permission.InventoryWrite)
  @idParam('id', 'stock location')
  @ApiOkResponse({ type: StockLocationDto, description: 'The changed location.' })
  @ApiProblemResponses(400, 404, 409, 422, 429)
  update(@Param('id') id: string, @Body() body: UpdateStockLocationDto): Promise<StockLocationDto> {
    return this.locations.update(id, body);
  }
}
