import { InventoryItem } from './inventory-item.entity';
import { StockLevel } from './stock-level.entity';
import { StockLocation } from './stock-location.entity';
import { StockMovement } from './stock-movement.entity';

/** The inventory module's entities, for ALL_ENTITIES. */
export const INVENTORY_ENTITIES = [StockLocation, StockLevel, InventoryItem, StockMovement];
