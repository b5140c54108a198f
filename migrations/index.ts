import { Identity1764288000000 } from './1764288000000-identity';
import { Catalog1764374400000 } from './1764374400000-catalog';
import { ProductImages1764460800000 } from './1764460800000-product-images';
import { ProductSearch1764547200000 } from './1764547200000-product-search';
import { Inventory1764633600000 } from './1764633600000-inventory';
import { CustomersCarts1764720000000 } from './1764720000000-customers-carts';
import { IdempotencyPricing1764806400000 } from './1764806400000-idempotency-pricing';
import { OrdersPayments1764892800000 } from './1764892800000-orders-payments';
import { MoneyBigint1764979200000 } from './1764979200000-money-bigint';
import { AccessRevocations1765065600000 } from './1765065600000-access-revocations';
import { CheckoutLimits1765152000000 } from './1765152000000-checkout-limits';
import { Housekeeping1765238400000 } from './1765238400000-housekeeping';
import { CacheGeneration1765324800000 } from './1765324800000-cache-generation';

/** Every migration in order. A new migration file is added here too; `npm run migration:check` catches a forgotten one. */
export const ALL_MIGRATIONS = [
  Identity1764288000000,
  Catalog1764374400000,
  ProductImages1764460800000,
  ProductSearch1764547200000,
  Inventory1764633600000,
  CustomersCarts1764720000000,
  IdempotencyPricing1764806400000,
  OrdersPayments1764892800000,
  MoneyBigint1764979200000,
  AccessRevocations1765065600000,
  CheckoutLimits1765152000000,
  Housekeeping1765238400000,
  CacheGeneration1765324800000,
];
