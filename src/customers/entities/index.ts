import { Address } from './address.entity';
import { CustomerProfile } from './customer-profile.entity';

/** The customers module's entities, for ALL_ENTITIES. */
export const CUSTOMERS_ENTITIES = [CustomerProfile, Address];
