import { CacheGeneration } from '../cache/entities/cache-generation.entity';
import { CARTS_ENTITIES } from '../carts/entities';
import { Category } from '../catalog/entities/category.entity';
import { ProductImage } from '../catalog/entities/product-image.entity';
import { ProductCategory } from '../catalog/entities/product-category.entity';
import { ProductVariant } from '../catalog/entities/product-variant.entity';
import { Product } from '../catalog/entities/product.entity';
import { AccessRevocation } from '../auth/entities/access-revocation.entity';
import { RefreshToken } from '../auth/entities/refresh-token.entity';
import { CUSTOMERS_ENTITIES } from '../customers/entities';
import { JobLease } from '../housekeeping/job-lease.entity';
import { IdempotencyKey } from '../idempotency/idempotency-key.entity';
import { INVENTORY_ENTITIES } from '../inventory/entities';
import { ORDERS_ENTITIES } from '../orders/entities';
import { PRICING_ENTITIES } from '../pricing/entities';
import { UserRole } from '../users/entities/user-role.entity';
import { User } from '../users/entities/user.entity';

/** Every entity, listed once for the app and the TypeORM CLI (globs do not survive bundlers and test runners). */
export const ALL_ENTITIES = [
  User,
  UserRole,
  RefreshToken,
  AccessRevocation,
  Category,
  Product,
  ProductVariant,
  ProductCategory,
  ProductImage,
  ...INVENTORY_ENTITIES,
  ...CUSTOMERS_ENTITIES,
  ...CARTS_ENTITIES,
  IdempotencyKey,
  JobLease,
  CacheGeneration,
  ...PRICING_ENTITIES,
  ...ORDERS_ENTITIES,
];
