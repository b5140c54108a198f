import { applyDecorators } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { CartTokenHeader } from '../carts/carts.openapi';

/** A guest proves access to their cart, and to the order made from it, with its token. */
export const OrderCartTokenHeader = () =>
  CartTokenHeader('A guest\'s cart token (returned once when the guest cart was created); opens the cart and the order made from it.');

export const OrderIdParam = () =>
  applyDecorators(
    ApiParam({
      name: 'id',
      description: 'Public id of the order (UUID); any other string is answered 404.',
      schema: { type: 'string', format: 'uuid', minLength: 36, maxLength: 36, example: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' },
    }),
  );

export const ORDER_LOCATION_HEADER = {
  Location: {
    description: 'Path of the order.',
    required: true,
    schema: { type: 'string' as const, maxLength: 200, example: '/v1/orders/0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' },
  },
};
