import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiParam } from '@nestjs/swagger';

export const CART_TOKEN_HEADER = 'x-cart-token';

/** A guest proves access to their cart, and to the order made from it, with its token. */
export const CartTokenHeader = () =>
  ApiHeader({
    name: 'X-Cart-Token',
    required: false,
    description: 'A guest\'s cart token (returned once when the guest cart was created); opens the cart and the order made from it.',
    schema: { type: 'string', minLength: 1, maxLength: 200, example: 'ct_4f0c2c8e9a104c419d1c0b4f6c1e7a0d' },
  });

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
