import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The flat shipping charge to one country for orders in one currency, in minor units. */
@Entity('shipping_rates')
@Index('uq_shipping_rates_country_currency', ['country', 'currency'], { unique: true })
export class ShippingRate {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** ISO 3166-1 alpha-2; VARCHAR(2) rather than CHAR(2) because SQLite has no portable CHAR type name. */
  @Column({ type: 'varchar', length: 2 })
  country: string;

  /** ISO 4217. */
  @Column({ type: 'varchar', length: 3 })
  currency: string;

  /** 0 or more (checked by the API; MySQL's TypeORM driver has no CHECK constraints). */
  @Column({ type: 'integer' })
  amount: number;
}
