import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { CatalogModule } from '../catalog/catalog.module';
import { AvailabilityController, InventoryController } from './inventory.controller';
import { InventoryService } from './inventory.service';
import { LowStockListener } from './inventory.events';
import { DemoStockBootstrap } from './inventory.seeder';
import { StockLocationsController } from './stock-locations.controller';
import { StockLocationsService } from './stock-locations.service';

/**
 * Stock locations, stock levels with their ledger, low-stock events and availability. Exports
 * InventoryService for checkout and orders. Imports CatalogModule so that the demo catalog is
 * seeded before the demo stock (modules bootstrap after the modules they import).
 */
@Module({
  imports: [EventEmitterModule.forRoot(), CatalogModule],
  controllers: [StockLocationsController, InventoryController, AvailabilityController],
  providers: [InventoryService, StockLocationsService, LowStockListener, DemoStockBootstrap],
  exports: [InventoryService],
})
export class InventoryModule {}
