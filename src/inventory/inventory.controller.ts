import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public, RequirePermissions } from '../auth/decorators';
import { Permission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { idParam, PublicRead } from '../catalog/catalog.openapi';
import { Page, Paginated } from '../common/pagination/pagination';
import { ApiProblemResponses } from '../common/problem/problem.openapi';
import {
  AdjustStockDto,
  AvailabilityDto,
  ListMovementsQueryDto,
  ReceiveStockDto,
  SetThresholdDto,
  StockLevelDto,
  StockMovementDto,
  VariantStockDto,
} from './dto/inventory.dto';
import { ApiStockProblemResponse } from './dto/stock-problem.dto';
import { InventoryService } from './inventory.service';

@ApiTags('Inventory')
@Controller({ path: 'inventory', version: '1' })
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @Post('receipts')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'receiveStock',
    summary: 'Receive stock',
    description:
      'Goods in at a location: on-hand stock goes up by `quantity` (1 to 1,000,000), recorded as a `received` movement. ' +
      'Answers the stock level afterwards. 404 for an unknown variant or location.',
  })
  @RequirePermissions(Permission.InventoryWrite)
  @ApiOkResponse({ type: StockLevelDto, description: 'The stock level of the variant at the location, after the receipt.' })
  @ApiProblemResponses(400, 404, 429)
  receive(@Body() body: ReceiveStockDto, @CurrentPrincipal() principal: Principal): Promise<StockLevelDto> {
    return this.inventory.receive(body, principal.userId ?? null);
  }

  @Post('adjustments')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'adjustStock',
    summary: 'Adjust stock',
    description:
      'A correction with a reason (a count, damage, loss): on-hand stock changes by `delta`, recorded as an `adjusted` movement. ' +
      'On-hand stock may not go below zero nor below the reserved units: 422 naming the SKU (`skus`). 404 for an unknown variant or location.',
  })
  @RequirePermissions(Permission.InventoryWrite)
  @ApiOkResponse({ type: StockLevelDto, description: 'The stock level of the variant at the location, after the adjustment.' })
  @ApiProblemResponses(400, 404, 429)
  @ApiStockProblemResponse(422, 'The adjustment would leave fewer units on hand than zero or than are reserved; `skus` names the variant.')
  adjust(@Body() body: AdjustStockDto, @CurrentPrincipal() principal: Principal): Promise<StockLevelDto> {
    return this.inventory.adjust(body, principal.userId ?? null);
  }

  @Put('variants/:variantId/threshold')
  @ApiOperation({
    operationId: 'setLowStockThreshold',
    summary: 'Set the low-stock threshold of a variant',
    description:
      'While available stock is at or under it, every stock change of the variant raises the `inventory.low-stock` event ' +
      '(a warning log line and the `inventory_low_stock_events_total` metric). null turns it off.',
  })
  @RequirePermissions(Permission.InventoryWrite)
  @idParam('variantId', 'variant')
  @ApiOkResponse({ type: VariantStockDto, description: 'The stock of the variant with its new threshold.' })
  @ApiProblemResponses(400, 404, 429)
  setThreshold(@Param('variantId') variantId: string, @Body() body: SetThresholdDto): Promise<VariantStockDto> {
    return this.inventory.setThreshold(variantId, body.lowStockThreshold);
  }

  @Get('variants/:variantId')
  @ApiOperation({
    operationId: 'getVariantStock',
    summary: 'Get the stock of a variant',
    description:
      'Per location (on hand, reserved, available), totals over all locations, `sellable` (what one order can take: the most ' +
      'available at one active location) and the low-stock threshold; for variants of products in any status.',
  })
  @RequirePermissions(Permission.InventoryRead)
  @idParam('variantId', 'variant')
  @ApiOkResponse({ type: VariantStockDto, description: 'The stock of the variant.' })
  @ApiProblemResponses(400, 404, 429)
  variantStock(@Param('variantId') variantId: string): Promise<VariantStockDto> {
    return this.inventory.variantStock(variantId);
  }

  @Get('movements')
  @ApiOperation({
    operationId: 'listStockMovements',
    summary: 'List stock movements',
    description:
      'The append-only stock ledger, newest first; filter by `variantId`, `locationId` (404 when unknown) and `kind`. ' +
      'Per variant and location the deltas add up to the current level. Cursor-paginated: follow `nextCursor` or the `Link` header.',
  })
  @RequirePermissions(Permission.InventoryRead)
  @Paginated(StockMovementDto)
  @ApiProblemResponses(400, 404, 429)
  movements(@Query() query: ListMovementsQueryDto): Promise<Page<StockMovementDto>> {
    return this.inventory.listMovements(query);
  }
}

@ApiTags('Inventory')
@Controller({ path: 'variants', version: '1' })
export class AvailabilityController {
  constructor(private readonly inventory: InventoryService) {}

  @Get(':variantId/availability')
  @Public()
  @PublicRead({
    operationId: 'getVariantAvailability',
    summary: 'Get the availability of a variant',
    description:
      'How many units one order can take now: the most on hand minus reserved at any single active location, because ' +
      'checkout reserves each line from one location (stock of 3 and 5 in two places is 5). Public; 404 for unknown ' +
      'variants and variants of products that are not active.',
  })
  @idParam('variantId', 'variant')
  @ApiOkResponse({ type: AvailabilityDto, description: 'The availability.' })
  @ApiProblemResponses(400, 401, 404, 429)
  availability(@Param('variantId') variantId: string): Promise<AvailabilityDto> {
    return this.inventory.availability(variantId);
  }
}
