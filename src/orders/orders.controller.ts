import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public, RequirePermissions } from '../auth/decorators';
import { Permission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { cartTokenOf } from '../carts/cart-access';
import { Page, PageQueryDto, Paginated } from '../common/pagination/pagination';
import { ApiProblemResponse, ApiProblemResponses } from '../common/problem/problem.openapi';
import { CancelOrderDto } from './dto/order-commands.dto';
import { ListOrdersQueryDto, OrderDto } from './dto/order.dto';
import { OrderLifecycleService } from './order-lifecycle.service';
import { OrderAction } from './order-state';
import { OrderCartTokenHeader, OrderIdParam } from './orders.openapi';
import { OrderCaller, OrdersService } from './orders.service';

export function orderCallerOf(request: FastifyRequest): OrderCaller {
  return { principal: request.user, cartToken: cartTokenOf(request) };
}

const ILLEGAL_TRANSITION = (action: string) =>
  ApiProblemResponse(409, `The order's state does not allow ${action}; \`allowed\` lists what it allows.`, {
    orderStatus: 'pending_payment',
    allowed: ['pay', 'cancel'],
  });

@ApiTags('Orders')
@Controller({ path: 'me/orders', version: '1' })
export class MyOrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @ApiOperation({ operationId: 'listMyOrders', summary: 'List my orders', description: 'The signed-in customer\'s orders, newest first. Cursor-paginated.' })
  @RequirePermissions(Permission.AccountRead)
  @Paginated(OrderDto)
  @ApiProblemResponses(400, 429)
  listMine(@Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal): Promise<Page<OrderDto>> {
    return this.orders.listMine(query, principal);
  }
}

@ApiTags('Orders')
@Controller({ path: 'orders', version: '1' })
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly lifecycle: OrderLifecycleService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listOrders',
    summary: 'List all orders (staff)',
    description: 'Newest first; filter by `status`, `email`, `userId` and creation time (`createdFrom` inclusive, `createdTo` exclusive). Cursor-paginated.',
  })
  @RequirePermissions(Permission.OrdersReadAny)
  @Paginated(OrderDto)
  @ApiProblemResponses(400, 429)
  list(@Query() query: ListOrdersQueryDto, @Req() request: FastifyRequest): Promise<Page<OrderDto>> {
    return this.orders.list(query, orderCallerOf(request));
  }

  @Get(':id')
  @Public({ identifyCaller: true })
  @ApiOperation({
    operationId: 'getOrder',
    summary: 'Get one order',
    description:
      'With its lines, timeline and the actions the caller may take now (`actions`). Its customer (bearer token), the guest ' +
      'who checked out (X-Cart-Token of the cart) and staff with orders:read:any may read it; everybody else gets 404.',
    security: [{}, { bearer: [] }],
  })
  @OrderIdParam()
  @OrderCartTokenHeader()
  @ApiOkResponse({ type: OrderDto, description: 'The order with its timeline.' })
  @ApiProblemResponses(400, 404, 429)
  get(@Param('id') id: string, @Req() request: FastifyRequest): Promise<OrderDto> {
    return this.orders.get(id, orderCallerOf(request));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Public({ identifyCaller: true })
  @ApiOperation({
    operationId: 'cancelOrder',
    summary: 'Cancel an order',
    description:
      'The customer (or guest with X-Cart-Token) while it awaits payment: its reserved stock is released. Staff with ' +
      'orders:write also once paid or fulfilled: the stock comes back on hand and what was paid is refunded through the provider.',
    security: [{}, { bearer: [] }],
  })
  @OrderIdParam()
  @OrderCartTokenHeader()
  @ApiOkResponse({ type: OrderDto, description: 'The cancelled order.' })
  @ILLEGAL_TRANSITION('cancelling')
  @ApiProblemResponses(400, 403, 404, 422, 429, 502)
  cancel(@Param('id') id: string, @Body() body: CancelOrderDto, @Req() request: FastifyRequest): Promise<OrderDto> {
    return this.lifecycle.cancel(id, orderCallerOf(request), body.reason);
  }

  @Post(':id/fulfil')
  @HttpCode(200)
  @ApiOperation({ operationId: 'fulfilOrder', summary: 'Mark a paid order fulfilled (packed)', description: 'paid -> fulfilled; 409 naming the allowed actions from any other state.' })
  @RequirePermissions(Permission.OrdersWrite)
  @OrderIdParam()
  @ApiOkResponse({ type: OrderDto, description: 'The fulfilled order.' })
  @ILLEGAL_TRANSITION('fulfilling')
  @ApiProblemResponses(400, 404, 429)
  fulfil(@Param('id') id: string, @Req() request: FastifyRequest): Promise<OrderDto> {
    return this.lifecycle.advance(id, OrderAction.Fulfil, orderCallerOf(request));
  }

  @Post(':id/ship')
  @HttpCode(200)
  @ApiOperation({ operationId: 'shipOrder', summary: 'Mark a fulfilled order shipped', description: 'fulfilled -> shipped; 409 naming the allowed actions from any other state.' })
  @RequirePermissions(Permission.OrdersWrite)
  @OrderIdParam()
  @ApiOkResponse({ type: OrderDto, description: 'The shipped order.' })
  @ILLEGAL_TRANSITION('shipping')
  @ApiProblemResponses(400, 404, 429)
  ship(@Param('id') id: string, @Req() request: FastifyRequest): Promise<OrderDto> {
    return this.lifecycle.advance(id, OrderAction.Ship, orderCallerOf(request));
  }

  @Post(':id/deliver')
  @HttpCode(200)
  @ApiOperation({ operationId: 'deliverOrder', summary: 'Mark a shipped order delivered', description: 'shipped -> delivered; 409 naming the allowed actions from any other state.' })
  @RequirePermissions(Permission.OrdersWrite)
  @OrderIdParam()
  @ApiOkResponse({ type: OrderDto, description: 'The delivered order.' })
  @ILLEGAL_TRANSITION('delivering')
  @ApiProblemResponses(400, 404, 429)
  deliver(@Param('id') id: string, @Req() request: FastifyRequest): Promise<OrderDto> {
    return this.lifecycle.advance(id, OrderAction.Deliver, orderCallerOf(request));
  }
}
