import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/decorators';
import { ApiProblemResponses } from '../common/problem/problem.openapi';
import { cartAccessOf } from './cart-access';
import { CART_LOCATION_HEADER, cartIdParam, CartTokenHeader, LINE_LOCATION_HEADER } from './carts.openapi';
import { CartsService } from './carts.service';
import { AddCartLineDto, CartDto, UpdateCartLineDto } from './dto/cart.dto';

/** Public with an optional bearer: guests and customers both shop; the service decides whose cart it is. */
const CART_SECURITY: Record<string, string[]>[] = [{}, { bearer: [] }];

@ApiTags('Carts')
@Controller({ path: 'carts', version: '1' })
@Public({ identifyCaller: true })
@CartTokenHeader()
@ApiProblemResponses(400, 429)
export class CartsController {
  constructor(private readonly carts: CartsService) {}

  @Post()
  @ApiOperation({
    operationId: 'openCart',
    summary: 'Open a cart',
    description:
      'Signed in (bearer token): the customer\'s open cart, 200 when it exists and 201 when it was just made. ' +
      'Anonymous: a new guest cart (201) with its `cartToken`, returned only this once; send it as `X-Cart-Token` on every ' +
      'cart call, and as `cartToken` when signing in to move the lines into the customer\'s cart. Guest carts stop working ' +
      'CART_GUEST_TTL_DAYS after their last change. No request body.',
    security: CART_SECURITY,
  })
  @ApiOkResponse({ type: CartDto, description: 'The customer\'s existing open cart.', headers: CART_LOCATION_HEADER })
  @ApiCreatedResponse({ type: CartDto, description: 'A new cart; a guest\'s carries its `cartToken`.', headers: CART_LOCATION_HEADER })
  async open(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<CartDto> {
    const { cart, created, cartToken } = await this.carts.open(cartAccessOf(request));
    void reply.status(created ? 201 : 200).header('location', `/v1/carts/${cart.id}`);
    return cartToken ? { ...cart, cartToken } : cart;
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getCart',
    summary: 'Read a cart',
    description: 'Prices, names and availability come from the catalog now, so they always match what checkout charges.',
    security: CART_SECURITY,
  })
  @cartIdParam('id', 'cart')
  @ApiOkResponse({ type: CartDto, description: 'The cart.' })
  @ApiProblemResponses(404)
  get(@Param('id') id: string, @Req() request: FastifyRequest): Promise<CartDto> {
    return this.carts.get(id, cartAccessOf(request));
  }

  @Post(':id/lines')
  @ApiOperation({
    operationId: 'addCartLine',
    summary: 'Put a variant in the cart',
    description:
      'A new line is 201 with Location; a variant already in the cart has its quantity raised (200), up to ' +
      'CART_MAX_LINE_QUANTITY (422 beyond). 404 for an unknown variant; 422 when its product is not active, when it is priced ' +
      'in another currency than the cart, or when the cart already has CART_MAX_LINES lines; 409 once the cart is checked out. ' +
      'A price field in the body is a 400: prices come from the catalog only.',
    security: CART_SECURITY,
  })
  @cartIdParam('id', 'cart')
  @ApiCreatedResponse({ type: CartDto, description: 'The cart with its new line.', headers: LINE_LOCATION_HEADER })
  @ApiOkResponse({ type: CartDto, description: 'The cart; the variant\'s line has the added quantity.' })
  @ApiProblemResponses(400, 404, 409, 422)
  async addLine(
    @Param('id') id: string,
    @Body() body: AddCartLineDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CartDto> {
    const { cart, lineId, created } = await this.carts.addLine(id, cartAccessOf(request), body);
    if (created) void reply.status(201).header('location', `/v1/carts/${cart.id}/lines/${lineId}`);
    else void reply.status(200);
    return cart;
  }

  @Patch(':id/lines/:lineId')
  @ApiOperation({
    operationId: 'changeCartLine',
    summary: 'Change the quantity of a cart line',
    description: 'The quantity replaces the current one. 409 once the cart is checked out.',
    security: CART_SECURITY,
  })
  @cartIdParam('id', 'cart')
  @cartIdParam('lineId', 'line of that cart')
  @ApiOkResponse({ type: CartDto, description: 'The cart.' })
  @ApiProblemResponses(400, 404, 409)
  updateLine(
    @Param('id') id: string,
    @Param('lineId') lineId: string,
    @Body() body: UpdateCartLineDto,
    @Req() request: FastifyRequest,
  ): Promise<CartDto> {
    return this.carts.updateLine(id, lineId, cartAccessOf(request), body.quantity);
  }

  @Delete(':id/lines/:lineId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'removeCartLine', summary: 'Remove a line from the cart', description: '409 once the cart is checked out.', security: CART_SECURITY })
  @cartIdParam('id', 'cart')
  @cartIdParam('lineId', 'line of that cart')
  @ApiNoContentResponse({ description: 'The line is gone.' })
  @ApiProblemResponses(404, 409)
  removeLine(@Param('id') id: string, @Param('lineId') lineId: string, @Req() request: FastifyRequest): Promise<void> {
    return this.carts.removeLine(id, lineId, cartAccessOf(request));
  }
}
