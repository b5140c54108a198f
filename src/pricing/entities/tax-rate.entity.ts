import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The tax rate of one country, in basis points (1900 = 19 %); 0 for a tax-free country. */
@Entity('tax_rates')
export class TaxRate {
  /** ISO 3166-1 alpha-2. */
  @PrimaryColumn({ type: 'varchar', length: 2 })
  country: string;

  /** 0 to 10000 (checked by the API). */
  @Column({ name: 'rate_bps', type: 'integer' })
  rateBps: number;
}
