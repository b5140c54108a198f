import { Identity1764288000000 } from './1764288000000-identity';
import { Catalog1764374400000 } from './1764374400000-catalog';

/** Every migration in order. A new migration file is added here too; `npm run migration:check` catches a forgotten one. */
export const ALL_MIGRATIONS = [Identity1764288000000, Catalog1764374400000];
