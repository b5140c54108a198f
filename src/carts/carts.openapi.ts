import { ApiHeader, ApiParam } from '@nestjs/swagger';

/** The request header a guest proves access to their cart with (lower case, as Fastify keys headers). */
export const CART_TOKEN_HEADER = 'x-cart-token';
/** The longest X-Cart-Token accepted; a longer one is a 400 (RequestContractInterceptor holds the header to this schema). */
export const CART_TOKEN_MAX_LENGTH = 200;

/** Documents X-Cart-Token, on the cart operations and on the order operations a guest reaches with it. */
export const CartTokenHeader = (
  description = 'A guest\'s cart token (returned once, when the guest cart was created). Customers send their bearer token instead.',
) =>
  ApiHeader({
    name: 'X-Cart-Token',
    required: false,
    description,
    schema: { type: 'string', minLength: 1, maxLength: CART_TOKEN_MAX_LENGTH, example: 'ct_8Jx2mQ0vR4tYc7bN1pLd9sWe3uHk6aZf5gTn0oVi2yE' },
  });

export const cartIdParam = (name: string, what: string) =>
  ApiParam({
    name,
    description: `Public id of the ${what} (UUID). A cart the caller cannot open (another customer's, a guest cart without its token, an expired one), or any other string, is answered 404.`,
    schema: { type: 'string', format: 'uuid', minLength: 36, maxLength: 36, example: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' },
  });

export const CART_LOCATION_HEADER = {
  Location: {
    description: 'Path of the cart.',
    required: true,
    schema: { type: 'string' as const, maxLength: 200, example: '/v1/carts/0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' },
  },
};

export const LINE_LOCATION_HEADER = {
  Location: {
    description: 'Path of the new line.',
    required: true,
    schema: { type: 'string' as const, maxLength: 200, example: '/v1/carts/0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e/lines/0193f2a4-7b3c-7000-8000-4a1f2b3c4d5f' },
  },
};
