import { Module } from '@nestjs/common';
import { ShippingRatesController, TaxRatesController } from './pricing.controller';
import { DemoPricingBootstrap } from './pricing.seeder';
import { PricingService } from './pricing.service';

/** Shipping and tax rates by country (staff-managed) and the quote checkout charges from them. */
@Module({
  controllers: [ShippingRatesController, TaxRatesController],
  providers: [PricingService, DemoPricingBootstrap],
  exports: [PricingService],
})
export class PricingModule {}
