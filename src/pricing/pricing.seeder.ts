import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { ShippingRate } from './entities/shipping-rate.entity';
import { TaxRate } from './entities/tax-rate.entity';


/**
 * Demo rates for the demo catalog, whose prices are in EUR: shipping in EUR and a tax rate for
 * a few countries, so that a quick-start checkout works. Rates are illustrative, not tax advice.
 */
export const DEMO_SHIPPING_RATES: readonly { country: string; currency: string; amount: number }[] = [
  { country: 'DE', currency: 'EUR', amount: 495 },
  { country: 'NL', currency: 'EUR', amount: 595 },
  { country: 'FR', currency: 'EUR', amount: 695 },
  { country: 'BE', currency: 'EUR', amount: 595 },
  { country: 'AT', currency: 'EUR', amount: 595 },
  { country: 'IT', currency: 'EUR', amount: 795 },
  { country: 'ES', currency: 'EUR', amount: 795 },
  { country: 'GB', currency: 'EUR', amount: 1295 },
  { country: 'US', currency: 'EUR', amount: 1995 },
  { country: 'CA', currency: 'EUR', amount: 1995 },
];
export const DEMO_TAX_RATES: readonly { country: string; rateBps: number }[] = [
  { country: 'DE', rateBps: 1900 },
  { country: 'NL', rateBps: 2100 },
  { country: 'FR', rateBps: 2000 },
  { country: 'BE', rateBps: 2100 },
  { country: 'AT', rateBps: 2000 },
  { country: 'IT', rateBps: 2200 },
  { country: 'ES', rateBps: 2100 },
  { country: 'GB', rateBps: 2000 },
  // Sales taxes in the US and Canada depend on the state or province; a single federal rate for the demo.
  { country: 'US', rateBps: 0 },
  { country: 'CA', rateBps: 500 },
];

/** Seeds the demo rates at start-up when SEED_DEMO_DATA is on and neither table has any row yet. */
@Injectable()
export class DemoPricingBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoPricingBootstrap.name);

  constructor(
    private readonly tx: TransactionService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.seedDemoData) return;
    try {
      const seeded = await this.seed();
      if (seeded) this.logger.log({ event: 'pricing.demo_seeded' }, `no rates yet: seeded demo shipping and tax rates for ${DEMO_TAX_RATES.length} countries (SEED_DEMO_DATA=false turns this off)`);
    } catch (error) {
      // Another instance seeding at the same moment loses on the unique keys; the app serves either way.
      this.logger.warn({ event: 'pricing.demo_seed_failed', err: error }, 'demo pricing seeding failed');
    }
  }

  /** True when it wrote the demo rates, false when some rate already existed. */
  seed(): Promise<boolean> {
    return this.tx.run(async (manager) => {
      const shipping = await manager.createQueryBuilder(ShippingRate, 's').select('s.id').limit(1).getOne();
      const tax = await manager.createQueryBuilder(TaxRate, 't').select('t.country').limit(1).getOne();
      if (shipping || tax) return false;
      await manager
        .createQueryBuilder()
        .insert()
        .into(ShippingRate)
        .values(DEMO_SHIPPING_RATES.map((rate) => ({ id: uuidv7(), ...rate })))
        .updateEntity(false)
        .execute();
      await manager.createQueryBuilder().insert().into(TaxRate).values([...DEMO_TAX_RATES]).updateEntity(false).execute();
      return true;
    });
  }
}
