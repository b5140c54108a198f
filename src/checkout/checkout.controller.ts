import { Body, Controller, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/decorators';
import { cartTokenOf } from '../carts/cart-access';
import { ApiProblemResponse, ApiProblemResponses } from '../common/problem/problem.openapi';
import { idempotencyKeyOf } from '../idempotency/idempotency.interceptor';
import { idempotencyScopeOf } from '../idempotency/idempotency.rules';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { OrderDto } from '../orders/dto/order.dto';
import { ORDER_LOCATION_HEADER, OrderCartTokenHeader } from '../orders/orders.openapi';
import { MAX_ORDER_AMOUNT } from '../pricing/pricing.math';
import { CheckoutService } from './checkout.service';
import { CHECKOUT_EXAMPLES, CheckoutDto } from './dto/checkout.dto';

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
      'email; customers their bearer token. Another caller\'s cart is 404. The reservation first lasts ' +
      'CHECKOUT_INITIAL_RESERVATION_SECONDS (5 minutes by default); a payment attempt extends it to CHECKOUT_RESERVATION_TTL_SECONDS from ' +
      'checkout. An unpaid order is cancelled when it expires. One order holds at most CART_MAX_LINE_QUANTITY units of a variant, ' +
      'and one client address, email or customer at most a few unpaid orders at once (429 `unpaid-order-limit`). Retrying with the ' +
      'same Idempotency-Key returns the same order.',
    security: [{}, { bearer: [] }],
  })
  @Idempotent()
  @OrderCartTokenHeader()
  @ApiBody({ type: CheckoutDto, examples: CHECKOUT_EXAMPLES })
  @ApiCreatedResponse({ type: OrderDto, description: 'The new order, with the actions it allows.', headers: ORDER_LOCATION_HEADER })
  @ApiProblemResponse(409, 'Some lines are out of stock (`skus` names them), or the cart was checked out concurrently.', { skus: ['TSHIRT-RED-M'] })
  @ApiProblemResponse(
    422,
    'The cart is empty, a line cannot be bought any more (`skus` names them), there is no shipping or tax rate for the country, ' +
      `or the order would come to more than ${MAX_ORDER_AMOUNT} minor units (nothing is reserved; the cart stays open).`,
    { skus: ['TSHIRT-RED-M'] },
  )
  @ApiProblemResponse(
    429,
    'Too many requests (Retry-After), or the client already holds as many unpaid orders, or units in them, as one network address, ' +
      'email or customer may (`limit` says which): pay for or cancel one, or wait until its reservation expires.',
    { type: 'urn:emporium:problem:unpaid-order-limit', limit: { kind: 'address', counts: 'orders', max: 10 } },
  )
  @ApiProblemResponses(400, 404)
  async create(@Body() body: CheckoutDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<OrderDto> {
    const order = await this.checkout.checkout(body, {
      principal: request.user,
      cartToken: cartTokenOf(request),
      clientAddress: request.ip,
      scope: idempotencyScopeOf(request),
      key: idempotencyKeyOf(request),
    });
    void reply.status(201).header('location', `/v1/orders/${order.id}`);
    return order;
  }
}
