import { CartLine } from './cart-line.entity';
import { Cart } from './cart.entity';

/** The carts module's entities, for ALL_ENTITIES. */
export const CARTS_ENTITIES = [Cart, CartLine];
