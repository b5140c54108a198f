import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ProductVariant } from '../catalog/entities/product-variant.entity';
import { Product, ProductStatus } from '../catalog/entities/product.entity';
import { ConflictError, NotFoundError, RuleViolationError } from '../common/problem/app-error';
import { ValidationFailedException } from '../common/problem/problem';
import { AppConfig } from '../config/app-config';
import { EntitySql, entitySql, execute, quoter, selectRows } from '../database/compiled-sql';
import { deleteBatch, isUniqueViolation } from '../database/query-helpers';
import { TransactionService } from '../database/transaction.service';
import { Purges } from '../housekeeping/purges';
import { CartAccess, cartTokenMatches, hashCartToken } from './cart-access';
import { AddCartLineDto, CartDto, CartLineDto } from './dto/cart.dto';
import { CartLine } from './entities/cart-line.entity';
import { Cart, CartStatus } from './entities/cart.entity';

export { cartAccessOf, hashCartToken } from './cart-access';
export type { CartAccess } from './cart-access';

/** A cart line as checkout needs it: current catalog data, nothing from the client. */
export interface CheckoutLine {
  variantId: string;
  productId: string;
  sku: string;
  productName: string;
  options: Record<string, string>;
  quantity: number;
  unitPriceAmount: number;
}

export interface CheckoutCart {
  id: string;
  userId: string | null;
  guestTokenHash: string | null;
  currency: string;
  lines: CheckoutLine[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CART_COLUMNS = ['id', 'userId', 'guestTokenHash', 'status', 'currency', 'expiresAt', 'createdAt', 'updatedAt'] as const;
type CartRow = Pick<Cart, 'id' | 'userId' | 'guestTokenHash' | 'status' | 'currency' | 'expiresAt' | 'createdAt' | 'updatedAt'>;

/** A line joined with its variant and product, as read from the database (raw row). */
interface RawLine {
  id: string;
  variantId: string;
  quantity: number | string;
  productId: string;
  sku: string;
  options: string;
  priceAmount: number | string;
  currency: string;
  productName: string;
  productStatus: string;
}

interface PricedLine extends CartLineDto {
  currency: string;
  productActive: boolean;
}

function toPricedLine(raw: RawLine, cartCurrency: string | null): PricedLine {
  const quantity = Number(raw.quantity);
  const unitPriceAmount = Number(raw.priceAmount);
  const productActive = raw.productStatus === (ProductStatus.Active as string);
  return {
    id: raw.id,
    variantId: raw.variantId,
    productId: raw.productId,
    sku: raw.sku,
    productName: raw.productName,
    options: JSON.parse(raw.options) as Record<string, string>,
    quantity,
    unitPriceAmount,
    lineTotalAmount: unitPriceAmount * quantity,
    available: productActive && raw.currency === cartCurrency,
    currency: raw.currency,
    productActive,
  };
}

/** The statements every cart write (and checkout) runs, compiled once per dialect (see database/compiled-sql). */
interface CartStatements {
  /** Params: updatedAt, guest expiry, cartId, 'open', now. */
  bump: string;
  /** Params: cartId. */
  read: string;
  hydrate(row: Record<string, unknown>): CartRow;
  /** Params: cartId. */
  lines: string;
  /** Params: 'checked_out', updatedAt, cartId, 'open'. */
  checkedOut: string;
  cart: EntitySql<Cart>;
}

function cartStatements(manager: EntityManager): CartStatements {
  const q = quoter(manager);
  const cart = entitySql(manager, Cart);
  const line = entitySql(manager, CartLine);
  const variant = entitySql(manager, ProductVariant);
  const product = entitySql(manager, Product);
  const [c, l, v, p] = [q('c'), q('l'), q('v'), q('p')];
  // Aliases as the query builder's raw ones (`c_<column>`).
  const alias = (property: (typeof CART_COLUMNS)[number]) => `c_${cart.column(property)}`;
  const read =
    `SELECT ${CART_COLUMNS.map((property) => `${c}.${cart.col(property)} AS ${q(alias(property))}`).join(', ')} ` +
    `FROM ${cart.table} ${c} WHERE ${c}.${cart.col('id')} = ?`;
  const lines =
    `SELECT ${l}.${line.col('id')} AS ${q('id')}, ${l}.${line.col('variantId')} AS ${q('variantId')}, ${l}.${line.col('quantity')} AS ${q('quantity')}, ` +
    `${v}.${variant.col('productId')} AS ${q('productId')}, ${v}.${variant.col('sku')} AS ${q('sku')}, ${v}.${variant.col('options')} AS ${q('options')}, ` +
    `${v}.${variant.col('priceAmount')} AS ${q('priceAmount')}, ${v}.${variant.col('currency')} AS ${q('currency')}, ` +
    `${p}.${product.col('name')} AS ${q('productName')}, ${p}.${product.col('status')} AS ${q('productStatus')} ` +
    `FROM ${line.table} ${l} INNER JOIN ${variant.table} ${v} ON ${v}.${variant.col('id')} = ${l}.${line.col('variantId')} ` +
    `INNER JOIN ${product.table} ${p} ON ${p}.${product.col('id')} = ${v}.${variant.col('productId')} ` +
    `WHERE ${l}.${line.col('cartId')} = ? ORDER BY ${l}.${line.col('id')} ASC`;
  const [version, updatedAt, expiresAt, id, status] = [cart.col('version'), cart.col('updatedAt'), cart.col('expiresAt'), cart.col('id'), cart.col('status')];
  const bump =
    `UPDATE ${cart.table} SET ${version} = ${version} + 1, ${updatedAt} = ?, ${expiresAt} = CASE WHEN ${cart.col('userId')} IS NULL THEN ? ELSE NULL END ` +
    `WHERE ${id} = ? AND ${status} = ? AND (${expiresAt} IS NULL OR ${expiresAt} > ?)`;
  const checkedOut =
    `UPDATE ${cart.table} SET ${status} = ?, ${cart.col('openUserId')} = NULL, ${version} = ${version} + 1, ${updatedAt} = ? WHERE ${id} = ? AND ${status} = ?`;
  return {
    bump,
    read,
    lines,
    checkedOut,
    cart,
    hydrate(row) {
      const out: Record<string, unknown> = {};
      for (const property of CART_COLUMNS) out[property] = cart.hydrate(property, row[alias(property)]);
      return out as unknown as CartRow;
    },
  };
}

function cartDto(cart: CartRow, lines: PricedLine[]): CartDto {
  return {
    id: cart.id,
    status: cart.status,
    currency: cart.currency,
    lines: lines.map(({ currency: _currency, productActive: _active, ...line }) => line),
    subtotalAmount: lines.reduce((sum, line) => (line.available ? sum + line.lineTotalAmount : sum), 0),
    itemCount: lines.reduce((sum, line) => sum + line.quantity, 0),
    expiresAt: cart.expiresAt ? cart.expiresAt.toISOString() : null,
    createdAt: cart.createdAt.toISOString(),
    updatedAt: cart.updatedAt.toISOString(),
  };
}

function cartNotFound(id: string): NotFoundError {
  return new NotFoundError('Cart', id);
}

/**
 * Carts of guests (opened by an opaque token, stored hashed) and customers (opened by their
 * bearer token); anyone else gets 404, never 403, so the existence of a cart never leaks.
 * Lines hold variant and quantity only: prices, names and availability are read from the
 * catalog every time a cart is read, so a cart always shows what checkout would charge.
 *
 * Every write starts with a conditional UPDATE of the cart row (`status = 'open'`): it takes the
 * cart's row lock, so writers of one cart (and checkout) take turns and a checked-out cart can
 * no longer change.
 */
@Injectable()
export class CartsService implements OnModuleInit {
  private readonly logger = new Logger(CartsService.name);
  private compiled?: CartStatements;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly config: AppConfig,
    private readonly purges: Purges,
  ) {}

  /** Guest carts nobody touched for CART_GUEST_TTL_DAYS are gone (their lines with them, by foreign key). */
  onModuleInit(): void {
    this.purges.register({
      table: 'carts',
      deleteBatch: (size) =>
        this.tx.run((manager) =>
          deleteBatch(manager, Cart, 'e.status = :open AND e.userId IS NULL AND e.expiresAt <= :now', { open: CartStatus.Open, now: new Date() }, size),
        ),
    });
  }

  /** A customer's open cart (made when they have none), or a new guest cart with its token. */
  async open(access: CartAccess): Promise<{ cart: CartDto; created: boolean; cartToken?: string }> {
    if (access.userId) {
      const { id, created } = await this.openCartOf(access.userId);
      return { cart: await this.get(id, { userId: access.userId }), created };
    }
    const cartToken = `ct_${randomBytes(32).toString('base64url')}`;
    const id = await this.insertCart({ guestTokenHash: hashCartToken(cartToken) });
    return { cart: await this.get(id, { cartToken }), created: true, cartToken };
  }

  async get(cartId: string, access: CartAccess): Promise<CartDto> {
    const manager = this.dataSource.manager;
    const cart = await this.readCart(manager, cartId, access);
    return cartDto(cart, await this.readLines(manager, cart.id, cart.currency));
  }

  /** Adds a variant, or adds to its quantity when the cart has it already; `created` tells which. */
  async addLine(cartId: string, access: CartAccess, input: AddCartLineDto): Promise<{ cart: CartDto; lineId: string; created: boolean }> {
    this.checkQuantity(input.quantity);
    const max = this.config.carts.maxLineQuantity;
    const { lineId, created } = await this.tx.run(async (manager) => {
      const cart = await this.lockForWrite(manager, cartId, access);
      const variant = await manager
        .createQueryBuilder(ProductVariant, 'v')
        .innerJoin(Product, 'p', 'p.id = v.productId')
        .select(['v.id AS id', 'v.sku AS sku', 'v.currency AS currency', 'p.status AS status'])
        .where('v.id = :id', { id: input.variantId })
        .getRawOne<{ id: string; sku: string; currency: string; status: string }>();
      if (!variant) throw new NotFoundError('Variant', input.variantId);
      if (variant.status !== (ProductStatus.Active as string)) {
        throw new RuleViolationError(`${variant.sku} is not on sale (its product is ${variant.status}).`);
      }
      if (cart.currency && cart.currency !== variant.currency) {
        throw new RuleViolationError(`The cart is in ${cart.currency} and ${variant.sku} is priced in ${variant.currency}; one cart holds one currency.`);
      }
      const now = new Date();
      const existing = await manager
        .createQueryBuilder(CartLine, 'l')
        .select(['l.id', 'l.quantity'])
        .where('l.cartId = :cartId AND l.variantId = :variantId', { cartId: cart.id, variantId: input.variantId })
        .getOne();
      if (existing) {
        const result = await manager
          .createQueryBuilder()
          .update(CartLine)
          .set({ quantity: () => 'quantity + :add', updatedAt: now })
          .where('id = :id AND quantity + :add <= :max', { id: existing.id, add: input.quantity, max })
          .execute();
        if (!result.affected) {
          throw new RuleViolationError(`${variant.sku} would reach ${existing.quantity + input.quantity} units; a line holds at most ${max}.`);
        }
        return { lineId: existing.id, created: false };
      }
      const count = await manager.createQueryBuilder(CartLine, 'l').where('l.cartId = :cartId', { cartId: cart.id }).getCount();
      if (count >= this.config.carts.maxLines) throw new RuleViolationError(`A cart holds at most ${this.config.carts.maxLines} lines.`);
      const id = uuidv7();
      await manager
        .createQueryBuilder()
        .insert()
        .into(CartLine)
        .values({ id, cartId: cart.id, variantId: input.variantId, quantity: input.quantity, createdAt: now, updatedAt: now })
        .updateEntity(false)
        .execute();
      if (!cart.currency) {
        await manager.createQueryBuilder().update(Cart).set({ currency: variant.currency }).where('id = :id', { id: cart.id }).execute();
      }
      return { lineId: id, created: true };
    });
    return { cart: await this.get(cartId, access), lineId, created };
  }

  async updateLine(cartId: string, lineId: string, access: CartAccess, quantity: number): Promise<CartDto> {
    this.checkQuantity(quantity);
    await this.tx.run(async (manager) => {
      const cart = await this.lockForWrite(manager, cartId, access);
      const result = UUID.test(lineId)
        ? await manager
            .createQueryBuilder()
            .update(CartLine)
            .set({ quantity, updatedAt: new Date() })
            .where('id = :lineId AND cart_id = :cartId', { lineId, cartId: cart.id })
            .execute()
        : { affected: 0 };
      if (!result.affected) throw new NotFoundError('Cart line', lineId);
    });
    return this.get(cartId, access);
  }

  async removeLine(cartId: string, lineId: string, access: CartAccess): Promise<void> {
    await this.tx.run(async (manager) => {
      const cart = await this.lockForWrite(manager, cartId, access);
      const result = UUID.test(lineId)
        ? await manager.createQueryBuilder().delete().from(CartLine).where('id = :lineId AND cart_id = :cartId', { lineId, cartId: cart.id }).execute()
        : { affected: 0 };
      if (!result.affected) throw new NotFoundError('Cart line', lineId);
      // The last line gone: the cart takes no currency until its next line.
      const left = await manager.createQueryBuilder(CartLine, 'l').where('l.cartId = :cartId', { cartId: cart.id }).getCount();
      if (left === 0) await manager.createQueryBuilder().update(Cart).set({ currency: null }).where('id = :id', { id: cart.id }).execute();
    });
  }

  /**
   * Inside the checkout transaction: the caller's open cart with CURRENT catalog prices. Takes the
   * cart's row lock first, so no line changes until the transaction ends. 404 when the caller
   * cannot open the cart, 409 when it is already checked out, 422 when it is empty or a line
   * cannot be bought (product no longer active, or priced in another currency now).
   */
  async loadForCheckout(manager: EntityManager, cartId: string, access: CartAccess): Promise<CheckoutCart> {
    const cart = await this.lockForWrite(manager, cartId, access);
    const lines = await this.readLines(manager, cart.id, cart.currency);
    if (lines.length === 0 || !cart.currency) throw new RuleViolationError('The cart is empty.');
    const unavailable = lines.filter((line) => !line.available);
    if (unavailable.length > 0) {
      const skus = unavailable.map((line) => line.sku).join(', ');
      throw new RuleViolationError(`Some lines cannot be bought any more: ${skus}. Remove them and try again.`);
    }
    return {
      id: cart.id,
      userId: cart.userId,
      guestTokenHash: cart.guestTokenHash,
      currency: cart.currency,
      lines: lines.map((line) => ({
        variantId: line.variantId,
        productId: line.productId,
        sku: line.sku,
        productName: line.productName,
        options: line.options,
        quantity: line.quantity,
        unitPriceAmount: line.unitPriceAmount,
      })),
    };
  }

  /** Conditional UPDATE open -> checked_out; 409 when the cart was not open (a concurrent checkout won). */
  async markCheckedOut(manager: EntityManager, cartId: string): Promise<void> {
    const { checkedOut, cart } = this.statements(manager);
    const affected = await execute(manager, checkedOut, [
      cart.value('status', CartStatus.CheckedOut),
      cart.value('updatedAt', new Date()),
      cartId,
      cart.value('status', CartStatus.Open),
    ]);
    if (!affected) throw new ConflictError('This cart was already checked out.');
  }

  /**
   * After a sign-in: moves the lines of the guest cart that `cartToken` opens into the customer's
   * open cart (made if needed). Quantities of a variant in both are summed and capped at the line
   * maximum; lines in another currency than the customer's cart, or beyond the line limit, are
   * dropped. The guest cart is deleted. An unknown, expired or already used token does nothing,
   * and no failure here ever fails the sign-in (it is logged).
   */
  async mergeGuestCart(userId: string, cartToken: string): Promise<void> {
    try {
      const guest = await this.dataSource.manager
        .createQueryBuilder(Cart, 'c')
        .select(['c.id', 'c.expiresAt'])
        .where('c.guestTokenHash = :hash AND c.status = :open AND c.userId IS NULL', { hash: hashCartToken(cartToken), open: CartStatus.Open })
        .getOne();
      if (!guest || (guest.expiresAt && guest.expiresAt.getTime() <= Date.now())) return;
      const target = await this.openCartOf(userId);
      const moved = await this.tx.run(async (manager) => {
        if (!(await this.bump(manager, guest.id)) || !(await this.bump(manager, target.id))) return 0;
        const targetRow = await manager.createQueryBuilder(Cart, 'c').select(['c.id', 'c.currency']).where('c.id = :id', { id: target.id }).getOneOrFail();
        const guestLines = await this.readLines(manager, guest.id, null);
        const targetLines = new Map(
          (await manager.createQueryBuilder(CartLine, 'l').select(['l.id', 'l.variantId', 'l.quantity']).where('l.cartId = :id', { id: target.id }).getMany()).map(
            (line) => [line.variantId, line],
          ),
        );
        const currency = targetRow.currency ?? guestLines[0]?.currency ?? null;
        const max = this.config.carts.maxLineQuantity;
        const now = new Date();
        let count = targetLines.size;
        let moved = 0;
        for (const line of guestLines) {
          if (line.currency !== currency) continue;
          const existing = targetLines.get(line.variantId);
          if (existing) {
            const quantity = Math.min(max, existing.quantity + line.quantity);
            await manager.createQueryBuilder().update(CartLine).set({ quantity, updatedAt: now }).where('id = :id', { id: existing.id }).execute();
          } else {
            if (count >= this.config.carts.maxLines) continue;
            await manager
              .createQueryBuilder()
              .insert()
              .into(CartLine)
              .values({ id: uuidv7(), cartId: target.id, variantId: line.variantId, quantity: Math.min(max, line.quantity), createdAt: now, updatedAt: now })
              .updateEntity(false)
              .execute();
            count++;
          }
          moved++;
        }
        if (!targetRow.currency && moved > 0) {
          await manager.createQueryBuilder().update(Cart).set({ currency }).where('id = :id', { id: target.id }).execute();
        }
        await manager.createQueryBuilder().delete().from(Cart).where('id = :id', { id: guest.id }).execute();
        return moved;
      });
      this.logger.log({ event: 'cart.merged', userId, cartId: target.id, lines: moved }, 'guest cart merged on sign-in');
    } catch (error) {
      this.logger.warn({ event: 'cart.merge_failed', userId, error: String(error) }, 'guest cart could not be merged; sign-in goes on');
    }
  }

  /** The customer's open cart id, made when there is none; a concurrent maker's cart wins the unique index. */
  private async openCartOf(userId: string): Promise<{ id: string; created: boolean }> {
    const find = () =>
      this.dataSource.manager
        .createQueryBuilder(Cart, 'c')
        .select(['c.id'])
        .where('c.openUserId = :userId', { userId })
        .getOne();
    const existing = await find();
    if (existing) return { id: existing.id, created: false };
    try {
      return { id: await this.insertCart({ userId }), created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await find();
      if (!winner) throw error;
      return { id: winner.id, created: false };
    }
  }

  private async insertCart(owner: { userId: string } | { guestTokenHash: string }): Promise<string> {
    const id = uuidv7();
    const now = new Date();
    const guest = 'guestTokenHash' in owner;
    await this.tx.run((manager) =>
      manager
        .createQueryBuilder()
        .insert()
        .into(Cart)
        .values({
          id,
          userId: guest ? null : owner.userId,
          openUserId: guest ? null : owner.userId,
          guestTokenHash: guest ? owner.guestTokenHash : null,
          status: CartStatus.Open,
          currency: null,
          version: 1,
          expiresAt: guest ? this.guestExpiry(now) : null,
          createdAt: now,
          updatedAt: now,
        })
        .updateEntity(false)
        .execute(),
    );
    return id;
  }

  /**
   * Takes the cart's row lock with a conditional UPDATE of an open cart (bumping its version and
   * pushing a guest cart's expiry back), THEN reads it, so what is read is current. 404 unless
   * the caller can open the cart (the bump of someone else's cart rolls back with the 404);
   * 409 when it is checked out.
   */
  private async lockForWrite(manager: EntityManager, cartId: string, access: CartAccess): Promise<CartRow> {
    if (!UUID.test(cartId)) throw cartNotFound(cartId);
    const locked = await this.bump(manager, cartId);
    const cart = await this.readCart(manager, cartId, access);
    if (!locked || cart.status !== CartStatus.Open) throw new ConflictError('This cart was checked out; it cannot change any more.');
    return cart;
  }

  private async bump(manager: EntityManager, cartId: string): Promise<boolean> {
    const now = new Date();
    const { bump, cart } = this.statements(manager);
    // An expired guest cart stays expired: it is not pushed back, and the caller's read then answers 404.
    const affected = await execute(manager, bump, [
      cart.value('updatedAt', now),
      cart.value('expiresAt', this.guestExpiry(now)),
      cartId,
      cart.value('status', CartStatus.Open),
      cart.value('expiresAt', now),
    ]);
    return affected > 0;
  }

  /** The cart when the caller may open it: the owner's bearer for a customer cart, the token for an unexpired guest cart. */
  private async readCart(manager: EntityManager, cartId: string, access: CartAccess): Promise<CartRow> {
    if (!UUID.test(cartId)) throw cartNotFound(cartId);
    const statements = this.statements(manager);
    const [row] = await selectRows<Record<string, unknown>>(manager, statements.read, [cartId]);
    if (!row) throw cartNotFound(cartId);
    const cart = statements.hydrate(row);
    const allowed = cart.userId
      ? access.userId === cart.userId
      : cartTokenMatches(access.cartToken, cart.guestTokenHash) && (!cart.expiresAt || cart.expiresAt.getTime() > Date.now());
    if (!allowed) throw cartNotFound(cartId);
    return cart;
  }

  /** The cart's lines with their variants' and products' CURRENT catalog data, oldest first. */
  private async readLines(manager: EntityManager, cartId: string, cartCurrency: string | null): Promise<PricedLine[]> {
    const rows = await selectRows<RawLine>(manager, this.statements(manager).lines, [cartId]);
    return rows.map((row) => toPricedLine(row, cartCurrency));
  }

  private statements(manager: EntityManager): CartStatements {
    return (this.compiled ??= cartStatements(manager));
  }

  /** Quantities are whole numbers from 1 to the configured maximum: 400 naming the field otherwise. */
  private checkQuantity(quantity: number): void {
    const max = this.config.carts.maxLineQuantity;
    if (quantity > max) throw new ValidationFailedException([{ field: 'quantity', message: `quantity must not be greater than ${max}` }]);
  }

  private guestExpiry(now: Date): Date {
    return new Date(now.getTime() + this.config.carts.guestTtlDays * 86_400_000);
  }
}
