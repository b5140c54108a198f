import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Decimal degrees come back from MySQL as strings; numbers in, numbers out. */
const coordinate = { to: (value: number | null) => value, from: (value: string | number | null) => (value === null ? null : Number(value)) };

/** A warehouse or shop that holds stock. Reservations draw from active locations, lowest `priority` first. */
@Entity('stock_locations')
export class StockLocation {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** Short unique handle, e.g. `main` or `berlin-1`. */
  @Index('uq_stock_locations_code', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ name: 'address_line1', type: 'varchar', length: 200 })
  addressLine1: string;

  @Column({ name: 'address_city', type: 'varchar', length: 100 })
  addressCity: string;

  @Column({ name: 'address_postal_code', type: 'varchar', length: 20 })
  addressPostalCode: string;

  /** ISO 3166-1 alpha-2, upper case. */
  @Column({ name: 'address_country', type: 'varchar', length: 2 })
  addressCountry: string;

  @Column({ type: 'decimal', precision: 9, scale: 6, nullable: true, transformer: coordinate })
  latitude: number | null;

  @Column({ type: 'decimal', precision: 9, scale: 6, nullable: true, transformer: coordinate })
  longitude: number | null;

  /** Reservation order: lower first; ties go by code. */
  @Column({ type: 'integer' })
  priority: number;

  /** Inactive locations keep their stock but are never reserved from nor counted as available. */
  @Column({ type: 'boolean' })
  active: boolean;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
