import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { NotFoundError, RuleViolationError } from '../common/problem/app-error';
import { decodeCursor, encodeCursor, Page, PageQueryDto } from '../common/pagination/pagination';
import { AppConfig } from '../config/app-config';
import { entitySql, quoter, selectRows } from '../database/compiled-sql';
import { isUniqueViolation } from '../database/query-helpers';
import { TransactionService } from '../database/transaction.service';
import { ShippingRateDto, TaxRateDto } from './dto/pricing.dto';
import { ShippingRate } from './entities/shipping-rate.entity';
import { TaxRate } from './entities/tax-rate.entity';
import { computeQuote, subtotalOf } from './pricing.math';

export interface Quote {
  subtotalAmount: number;
  shippingAmount: number;
  taxAmount: number;
  totalAmount: number;
  taxRateBps: number;
  pricesIncludeTax: boolean;
}

export interface QuoteInput {
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
  /** ISO 4217, upper case. */
  currency: string;
  lines: readonly { unitPriceAmount: number; quantity: number }[];
}

export type Upserted<T> = { rate: T; created: boolean };

const isCountryKey = (key: Record<string, unknown>): key is { country: string } => typeof key.country === 'string';
const isRateKey = (key: Record<string, unknown>): key is { country: string; currency: string } =>
  typeof key.country === 'string' && typeof key.currency === 'string';

/** Shipping and tax rates by country, and the arithmetic that turns a cart into amounts to pay. */
@Injectable()
export class PricingService {
  private compiled?: { shipping: string; tax: string };

  constructor(
    private readonly tx: TransactionService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Subtotal, shipping, tax and total for lines shipped to `country`, inside the caller's
   * transaction. 422 naming the country when it has no shipping rate in `currency` or no tax rate
   * (staff set 0 for a tax-free country, so a missing rate is never silently no tax).
   */
  async quote(manager: EntityManager, input: QuoteInput): Promise<Quote> {
    const statements = this.statements(manager);
    const [shipping] = await selectRows<{ amount: number | string }>(manager, statements.shipping, [input.country, input.currency]);
    if (!shipping) throw new RuleViolationError(`There is no shipping rate for ${input.country} in ${input.currency}; we cannot ship there in that currency.`);
    const [tax] = await selectRows<{ rateBps: number | string }>(manager, statements.tax, [input.country]);
    if (!tax) throw new RuleViolationError(`There is no tax rate for ${input.country}; we cannot sell there yet.`);
    const pricesIncludeTax = this.config.checkout.pricesIncludeTax;
    const taxRateBps = Number(tax.rateBps);
    return { ...computeQuote(subtotalOf(input.lines), Number(shipping.amount), taxRateBps, pricesIncludeTax), taxRateBps, pricesIncludeTax };
  }

  /** quote()'s two reads, compiled once per dialect (see database/compiled-sql). */
  private statements(manager: EntityManager): { shipping: string; tax: string } {
    if (!this.compiled) {
      const q = quoter(manager);
      const [shipping, tax] = [entitySql(manager, ShippingRate), entitySql(manager, TaxRate)];
      const [s, t] = [q('s'), q('t')];
      this.compiled = {
        shipping: `SELECT ${s}.${shipping.col('amount')} AS ${q('amount')} FROM ${shipping.table} ${s} WHERE ${s}.${shipping.col('country')} = ? AND ${s}.${shipping.col('currency')} = ?`,
        tax: `SELECT ${t}.${tax.col('rateBps')} AS ${q('rateBps')} FROM ${tax.table} ${t} WHERE ${t}.${tax.col('country')} = ?`,
      };
    }
    return this.compiled;
  }

  async listShippingRates(query: PageQueryDto): Promise<Page<ShippingRateDto>> {
    const rows = await this.tx.run((manager) => {
      const select = manager.createQueryBuilder(ShippingRate, 's').select(['s.country', 's.currency', 's.amount']);
      if (query.cursor) {
        const after = decodeCursor(query.cursor, isRateKey);
        select.where('(s.country > :country OR (s.country = :country AND s.currency > :currency))', after);
      }
      return select.orderBy('s.country', 'ASC').addOrderBy('s.currency', 'ASC').limit(query.limit + 1).getMany();
    });
    const page = rows.slice(0, query.limit).map(({ country, currency, amount }) => ({ country, currency, amount }));
    const last = page[page.length - 1];
    return { data: page, nextCursor: rows.length > query.limit ? encodeCursor({ country: last.country, currency: last.currency }) : null };
  }

  async getShippingRate(country: string, currency: string): Promise<ShippingRateDto> {
    const row = await this.tx.run((manager) =>
      manager
        .createQueryBuilder(ShippingRate, 's')
        .select(['s.country', 's.currency', 's.amount'])
        .where('s.country = :country AND s.currency = :currency', { country, currency })
        .getOne(),
    );
    if (!row) throw new NotFoundError('Shipping rate', `${country}/${currency}`);
    return { country: row.country, currency: row.currency, amount: row.amount };
  }

  /** Creates or replaces the rate; `created` tells which. */
  async setShippingRate(country: string, currency: string, amount: number): Promise<Upserted<ShippingRateDto>> {
    const created = await this.upsert(async (manager) => {
      const updated = await manager
        .createQueryBuilder()
        .update(ShippingRate)
        .set({ amount })
        .where('country = :country AND currency = :currency', { country, currency })
        .execute();
      if (updated.affected) return false;
      await manager.createQueryBuilder().insert().into(ShippingRate).values({ id: uuidv7(), country, currency, amount }).updateEntity(false).execute();
      return true;
    });
    return { rate: { country, currency, amount }, created };
  }

  async deleteShippingRate(country: string, currency: string): Promise<void> {
    const result = await this.tx.run((manager) =>
      manager.createQueryBuilder().delete().from(ShippingRate).where('country = :country AND currency = :currency', { country, currency }).execute(),
    );
    if (!result.affected) throw new NotFoundError('Shipping rate', `${country}/${currency}`);
  }

  async listTaxRates(query: PageQueryDto): Promise<Page<TaxRateDto>> {
    const rows = await this.tx.run((manager) => {
      const select = manager.createQueryBuilder(TaxRate, 't').select(['t.country', 't.rateBps']);
      if (query.cursor) select.where('t.country > :country', decodeCursor(query.cursor, isCountryKey));
      return select.orderBy('t.country', 'ASC').limit(query.limit + 1).getMany();
    });
    const page = rows.slice(0, query.limit).map(({ country, rateBps }) => ({ country, rateBps }));
    return { data: page, nextCursor: rows.length > query.limit ? encodeCursor({ country: page[page.length - 1].country }) : null };
  }

  async getTaxRate(country: string): Promise<TaxRateDto> {
    const row = await this.tx.run((manager) =>
      manager.createQueryBuilder(TaxRate, 't').select(['t.country', 't.rateBps']).where('t.country = :country', { country }).getOne(),
    );
    if (!row) throw new NotFoundError('Tax rate', country);
    return { country: row.country, rateBps: row.rateBps };
  }

  async setTaxRate(country: string, rateBps: number): Promise<Upserted<TaxRateDto>> {
    const created = await this.upsert(async (manager) => {
      const updated = await manager.createQueryBuilder().update(TaxRate).set({ rateBps }).where('country = :country', { country }).execute();
      if (updated.affected) return false;
      await manager.createQueryBuilder().insert().into(TaxRate).values({ country, rateBps }).updateEntity(false).execute();
      return true;
    });
    return { rate: { country, rateBps }, created };
  }

  async deleteTaxRate(country: string): Promise<void> {
    const result = await this.tx.run((manager) => manager.createQueryBuilder().delete().from(TaxRate).where('country = :country', { country }).execute());
    if (!result.affected) throw new NotFoundError('Tax rate', country);
  }

  /**
   * UPDATE, else INSERT, in one transaction. A unique violation on the INSERT means a concurrent
   * PUT created the rate first: once more, and the UPDATE replaces it (a second violation can only
   * mean the row already holds this very value, on a driver that counts changed rows only).
   */
  private async upsert(work: (manager: EntityManager) => Promise<boolean>): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tx.run(work);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (attempt >= 2) return false;
      }
    }
  }
}
