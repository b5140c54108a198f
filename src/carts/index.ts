export { cartAccessOf, hashCartToken, type CartAccess } from './cart-access';
export { CART_TOKEN_HEADER } from './carts.openapi';
export { CartsModule } from './carts.module';
export { CartsService, type CheckoutCart, type CheckoutLine } from './carts.service';
