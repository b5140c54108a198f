import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ProductVariant } from '../catalog/entities/product-variant.entity';
import { AppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { StockLevel } from './entities/stock-level.entity';
import { StockLocation } from './entities/stock-location.entity';
import { StockMovement, StockMovementKind } from './entities/stock-movement.entity';

export const DEMO_LOCATION_CODE = 'main';
export const DEMO_STOCK_QUANTITY = 100;
const BATCH = 500;

export interface StockAllResult {
  locationId: string;
  /** Variants that received `quantity` units. */
  variants: number;
}

/** The demo warehouse; inserted only when no location has its code. */
function mainLocation(): Omit<StockLocation, never> {
  const now = new Date();
  return {
    id: uuidv7(),
    code: DEMO_LOCATION_CODE,
    name: 'Main warehouse',
    addressLine1: 'Lagerstraße 1',
    addressCity: 'Berlin',
    addressPostalCode: '10115',
    addressCountry: 'DE',
    latitude: 52.531,
    longitude: 13.3849,
    priority: 0,
    active: true,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Receives `quantity` units of EVERY catalog variant into the location `main` (created when
 * missing), inside the caller's transaction: levels created where missing, one conditional
 * UPDATE per batch of variants and a `received` movement for each, so ledger sums keep equal
 * to the levels. For `npm run seed` and the quick-start demo data.
 */
export async function stockAllVariants(manager: EntityManager, quantity: number): Promise<StockAllResult> {
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > 1_000_000) throw new RangeError('quantity must be a whole number from 1 to 1000000');
  await manager.createQueryBuilder().insert().into(StockLocation).values(mainLocation()).orIgnore().updateEntity(false).execute();
  const location = await manager.createQueryBuilder(StockLocation, 'loc').select(['loc.id']).where({ code: DEMO_LOCATION_CODE }).getOneOrFail();
  const variantIds = (await manager.createQueryBuilder(ProductVariant, 'v').select(['v.id']).orderBy('v.id', 'ASC').getMany()).map((v) => v.id);
  for (let start = 0; start < variantIds.length; start += BATCH) {
    const ids = variantIds.slice(start, start + BATCH);
    const now = new Date();
    await manager
      .createQueryBuilder()
      .insert()
      .into(StockLevel)
      .values(ids.map((variantId) => ({ variantId, locationId: location.id, onHand: 0, reserved: 0, updatedAt: now })))
      .orIgnore()
      .updateEntity(false)
      .execute();
    await manager
      .createQueryBuilder()
      .update(StockLevel)
      .set({ onHand: () => 'on_hand + :quantity', updatedAt: now })
      .where({ locationId: location.id, variantId: In(ids) })
      .setParameter('quantity', quantity)
      .execute();
    await manager
      .createQueryBuilder()
      .insert()
      .into(StockMovement)
      .values(
        ids.map((variantId) => ({
          id: uuidv7(),
          variantId,
          locationId: location.id,
          kind: StockMovementKind.Received,
          onHandDelta: quantity,
          reservedDelta: 0,
          reason: 'Demo stock',
          actorId: null,
          orderId: null,
          createdAt: now,
        })),
      )
      .updateEntity(false)
      .execute();
  }
  return { locationId: location.id, variants: variantIds.length };
}

/**
 * The quick start: with SEED_DEMO_DATA on and no stock location yet, after the demo catalog was
 * seeded (CatalogModule's bootstrap runs first: this module imports it), creates the location
 * `main` and receives 100 units of every variant.
 */
@Injectable()
export class DemoStockBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoStockBootstrap.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.seedDemoData) return;
    try {
      if ((await this.dataSource.createQueryBuilder(StockLocation, 'loc').getCount()) > 0) return;
      const result = await this.tx.run(async (manager) => {
        // A plain insert: another instance stocking at the same moment wins on the unique code and this one rolls back.
        await manager.createQueryBuilder().insert().into(StockLocation).values(mainLocation()).updateEntity(false).execute();
        return stockAllVariants(manager, DEMO_STOCK_QUANTITY);
      });
      this.logger.log({ event: 'inventory.demo_stocked', ...result }, `no stock locations: created "${DEMO_LOCATION_CODE}" with ${DEMO_STOCK_QUANTITY} units of ${result.variants} variants`);
    } catch (error) {
      this.logger.warn({ event: 'inventory.demo_stock_failed', err: error }, 'demo stock seeding failed');
    }
  }
}
