import { Body, Controller, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/decorators';
import { ApiProblemResponse, ApiProblemResponses } from '../common/problem/problem.openapi';
import { idempotencyKeyOf } from '../idempotency/idempotency.interceptor';
import { idempotencyScopeOf } from '../idempotency/idempotency.rules';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { OrderDto, OrderProblemDto } from '../orders/dto/order.dto';
import { CART_TOKEN_HEADER, CartTokenHeader, ORDER_LOCATION_HEADER } from '../orders/orders.openapi';
import { CheckoutService } from './checkout.service';
import { CheckoutDto } from './dto/checkout.dto';

export function cartTokenOf(request: FastifyRequest): string | undefined {
  const token = request.headers[CART_TOKEN_HEADER];
  return typeof token === 'string' && token !== '' ? token : undefined;
}

@ApiTags('Checkout')
@Controller({ path: 'checkout', version: '1' })
export class CheckoutController {
  constructor(private readonly checkout: CheckoutService) {}

  @Post()
  @Public({ identifyCaller: true })
  @ApiOperation({
    operationId: 'checkout',
    summary: 'Check out a cart',
    description:
      'Turns the cart into an order in `pending_payment`, in one transaction: stock for every line is reserved or none is ' +
      '(409 naming every short SKU), prices are taken from the catalog (price fields in the body are a 400), shipping and ' +
      'tax come from the rate tables by the shipping country (422 when there is none). Guests send X-Cart-Token and an ' +
      'email; customers their bearer token. Another caller\'s cart is 404. The reservation lasts CHECKOUT_RESERVATION_TTL_SECONDS; ' +
      'an unpaid order is cancelled after it. Retrying with the same Idempotency-Key returns the same order.',
    security: [{}, { bearer: [] }],
  })
  @Idempotent()
  @CartTokenHeader()
  @ApiCreatedResponse({ type: OrderDto, description: 'The new order, with the actions it allows.', headers: ORDER_LOCATION_HEADER })
  @ApiProblemResponse(409, OrderProblemDto, 'Some lines are out of stock (`skus` names them), or the cart was checked out concurrently.', { skus: ['TSHIRT-RED-M'] })
  @ApiProblemResponse(422, OrderProblemDto, 'The cart is empty, a line cannot be bought any more (`skus` names them), or there is no shipping or tax rate for the country.', { skus: ['TSHIRT-RED-M'] })
  @ApiProblemResponses(400, 404, 429)
  async create(@Body() body: CheckoutDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<OrderDto> {
    const order = await this.checkout.checkout(body, {
      principal: request.user,
      cartToken: cartTokenOf(request),
      scope: idempotencyScopeOf(request),
      key: idempotencyKeyOf(request),
    });
    void reply.status(201).header('location', `/v1/orders/${order.id}`);
    return order;
  }
}
