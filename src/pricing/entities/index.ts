import { ShippingRate } from './shipping-rate.entity';
import { TaxRate } from './tax-rate.entity';

export const PRICING_ENTITIES = [ShippingRate, TaxRate];
