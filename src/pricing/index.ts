/** The pricing feature's public surface, for checkout. */
export { COUNTRIES, COUNTRY_PATTERN, isCountryCode } from './countries';
export { computeQuote, subtotalOf } from './pricing.math';
export { PricingModule } from './pricing.module';
export { PricingService } from './pricing.service';
export type { Quote, QuoteInput } from './pricing.service';
