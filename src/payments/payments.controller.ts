import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public, RequirePermissions } from '../auth/decorators';
import { Permission } from '../auth/permissions';
import { ApiProblemResponse, ApiProblemResponses } from '../common/problem/problem.openapi';
import { ValidationFailedException } from '../common/problem/problem';
import { idempotencyKeyOf } from '../idempotency/idempotency.interceptor';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { OrderDto } from '../orders/dto/order.dto';
import { orderCallerOf } from '../orders/orders.controller';
import { ORDER_LOCATION_HEADER, OrderCartTokenHeader, OrderIdParam } from '../orders/orders.openapi';
import { CreatePaymentDto, CreateRefundDto, WEBHOOK_EVENT_SCHEMA, WebhookAckDto } from './dto/payment.dto';
import { PaymentsService } from './payments.service';
import { WEBHOOK_SIGNATURE_HEADER, WEBHOOK_SIGNATURE_MAX_LENGTH } from './providers';

@ApiTags('Payments')
@Controller({ path: 'orders', version: '1' })
export class OrderPaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post(':id/payments')
  @Public({ identifyCaller: true })
  @ApiOperation({
    operationId: 'payOrder',
    summary: 'Pay an order',
    description:
      'Captures the order total with the provider\'s card token; the order becomes `paid` and its stock sold. The order\'s ' +
      'customer or the guest with X-Cart-Token only (404 for others). 402 with `failureCode` when the provider refuses; the order ' +
      'still awaits payment. Retrying with the same Idempotency-Key never charges twice, and one payment at a time is processed: ' +
      'payments sent at once with different keys get 409 `payment-in-progress` while the first is at the provider. Paying ' +
      'extends the order\'s reservation to CHECKOUT_RESERVATION_TTL_SECONDS from checkout. The provider must be enabled ' +
      '(PAYMENTS_PROVIDERS; 422 naming those that are).',
    security: [{}, { bearer: [] }],
  })
  @Idempotent()
  @OrderIdParam()
  @OrderCartTokenHeader()
  @ApiCreatedResponse({ type: OrderDto, description: 'The paid order.', headers: ORDER_LOCATION_HEADER })
  @ApiProblemResponse(402, 'The provider refused the payment; `failureCode` says why.', { failureCode: 'card_declined' })
  @ApiProblemResponse(
    409,
    'The order does not await payment (`allowed` lists what it allows), or another payment of it is being processed ' +
      '(`payment-in-progress`, with `paymentStartedAt`): read the order again for its outcome.',
    { orderStatus: 'paid', allowed: ['fulfil', 'cancel', 'refund'] },
  )
  @ApiProblemResponse(422, 'The payment provider is not enabled on this server (`providers` lists those that are).', { providers: ['test'] })
  @ApiProblemResponses(400, 404, 429)
  async pay(
    @Param('id') id: string,
    @Body() body: CreatePaymentDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderDto> {
    const order = await this.payments.pay(id, body, orderCallerOf(request), idempotencyKeyOf(request));
    void reply.status(201).header('location', `/v1/orders/${order.id}`);
    return order;
  }

  @Post(':id/refunds')
  @ApiOperation({
    operationId: 'refundOrder',
    summary: 'Refund (part of) an order',
    description:
      'Refunds `amount` through the provider of the order\'s payment; 422 when it is more than was paid and not yet refunded. ' +
      'Reaching the full paid amount makes the order `refunded`.',
  })
  @RequirePermissions(Permission.OrdersWrite)
  @Idempotent()
  @OrderIdParam()
  @ApiCreatedResponse({ type: OrderDto, description: 'The order after the refund.', headers: ORDER_LOCATION_HEADER })
  @ApiProblemResponse(409, 'The order\'s state allows no refund (`allowed` lists what it allows).', { orderStatus: 'pending_payment', allowed: ['pay', 'cancel'] })
  @ApiProblemResponse(422, 'More than was paid and not yet refunded, or the provider of the payment is no longer enabled (`providers` lists those that are).', { providers: ['test'] })
  @ApiProblemResponses(400, 404, 429, 502)
  async refund(
    @Param('id') id: string,
    @Body() body: CreateRefundDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderDto> {
    const order = await this.payments.refund(id, body, orderCallerOf(request), idempotencyKeyOf(request));
    void reply.status(201).header('location', `/v1/orders/${order.id}`);
    return order;
  }
}

@ApiTags('Payments')
@Controller({ path: 'payments/webhooks', version: '1' })
export class PaymentWebhooksController {
  constructor(private readonly payments: PaymentsService) {}

  @Post(':provider')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    operationId: 'receivePaymentWebhook',
    summary: 'Receive a payment provider webhook',
    description:
      'For the provider to call. The signature (HMAC over the timestamp and the raw body, header `Emporium-Signature`) and ' +
      'its timestamp tolerance are verified (400 otherwise); an event id seen before is acknowledged with `duplicate: true` ' +
      'and has no effect. A successful payment is recorded once, even when the client\'s capture records it at the same time.',
  })
  @ApiParam({ name: 'provider', description: 'The provider name, e.g. `test`.', schema: { type: 'string', minLength: 1, maxLength: 32, example: 'test' } })
  @ApiHeader({
    name: WEBHOOK_SIGNATURE_HEADER,
    required: true,
    description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` under the provider\'s webhook secret; several `v1` are allowed while a secret is rotated.',
    schema: {
      type: 'string',
      minLength: 1,
      maxLength: WEBHOOK_SIGNATURE_MAX_LENGTH,
      example: 't=1764331200,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
    },
  })
  @ApiBody({ schema: WEBHOOK_EVENT_SCHEMA, description: 'The event, signed as the exact bytes sent (see `Emporium-Signature`).' })
  @ApiOkResponse({ type: WebhookAckDto, description: 'Accepted (or a duplicate).' })
  @ApiProblemResponses(400, 404, 429)
  webhook(@Param('provider') provider: string, @Req() request: FastifyRequest): Promise<WebhookAckDto> {
    const raw = (request as FastifyRequest & { rawBody?: Buffer }).rawBody;
    if (!raw) throw new ValidationFailedException([{ field: 'body', message: 'the webhook body is missing' }]);
    return this.payments.webhook(provider, raw, request.headers);
  }
}
