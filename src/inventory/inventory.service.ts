import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { UUID } from '../catalog/catalog.rules';
import { ProductVariant } from '../catalog/entities/product-variant.entity';
import { Product, ProductStatus } from '../catalog/entities/product.entity';
import { decodeCursor, encodeCursor, Page } from '../common/pagination/pagination';
import { ConflictError, NotFoundError } from '../common/problem/app-error';
import { EntitySql, entitySql, execute, inListStatement, quoter, selectRows } from '../database/compiled-sql';
import { TransactionService } from '../database/transaction.service';
import {
  AdjustStockDto,
  AvailabilityDto,
  ListMovementsQueryDto,
  ReceiveStockDto,
  StockLevelDto,
  StockMovementDto,
  VariantStockDto,
} from './dto/inventory.dto';
import { InventoryItem } from './entities/inventory-item.entity';
import { StockLevel } from './entities/stock-level.entity';
import { StockLocation } from './entities/stock-location.entity';
import { StockMovement, StockMovementKind } from './entities/stock-movement.entity';
import { InsufficientStockError, OutOfStockError } from './inventory.errors';
import { LOW_STOCK_EVENT, LowStockEvent } from './inventory.events';

/** One line to reserve: `sku` is only used to name the line in an OutOfStockError. */
export interface StockLine {
  variantId: string;
  sku: string;
  quantity: number;
}

/** Units of a variant held at one location for an order. */
export interface Allocation {
  variantId: string;
  locationId: string;
  quantity: number;
}

/** Who and what a stock change is for; written to every movement row. */
export interface StockRef {
  orderId: string | null;
  actorId: string | null;
  reason?: string;
}

type MovementRow = Omit<StockMovement, 'variant' | 'location'>;
type Change = { variantId: string; locationId: string; onHandDelta: number; reservedDelta: number };

/** The most movements written by one multi-row INSERT. */
const INSERT_BATCH = 500;

/** The statements of reserve and of every level change, compiled once per dialect (see database/compiled-sql). */
interface StockStatements {
  /** Candidate locations of `count` variants; params: the variant ids, then `true` (active). */
  candidates(count: number): string;
  /** The conditional UPDATE of a level for the deltas that are not 0; see change(). */
  change: (onHand: boolean, reserved: boolean) => string;
  /** notifyIfLow's read of `count` variants; params: `true` (active), then the variant ids. */
  lowStock: (count: number) => string;
  level: EntitySql<StockLevel>;
  location: EntitySql<StockLocation>;
  movement: EntitySql<StockMovement>;
}

function stockStatements(manager: EntityManager): StockStatements {
  const q = quoter(manager);
  const level = entitySql(manager, StockLevel);
  const location = entitySql(manager, StockLocation);
  const movement = entitySql(manager, StockMovement);
  const [sl, loc] = [q('sl'), q('loc')];
  const candidatesHead =
    `SELECT ${sl}.${level.col('variantId')} AS ${q('variantId')}, ${sl}.${level.col('locationId')} AS ${q('locationId')}, ` +
    `${sl}.${level.col('onHand')} - ${sl}.${level.col('reserved')} AS ${q('available')} ` +
    `FROM ${level.table} ${sl} INNER JOIN ${location.table} ${loc} ON ${loc}.${location.col('id')} = ${sl}.${level.col('locationId')} ` +
    `WHERE ${sl}.${level.col('variantId')} IN `;
  const candidatesTail = ` AND ${loc}.${location.col('active')} = ? ORDER BY ${loc}.${location.col('priority')} ASC, ${loc}.${location.col('code')} ASC`;
  const [onHand, reserved] = [level.col('onHand'), level.col('reserved')];
  const changeSql = (withOnHand: boolean, withReserved: boolean) =>
    `UPDATE ${level.table} SET ${[...(withOnHand ? [`${onHand} = ${onHand} + ?`] : []), ...(withReserved ? [`${reserved} = ${reserved} + ?`] : []), `${level.col('updatedAt')} = ?`].join(', ')} ` +
    `WHERE ${level.col('variantId')} = ? AND ${level.col('locationId')} = ? AND ${reserved} + ? >= 0 AND ${onHand} + ? >= ${reserved} + ?`;
  const item = entitySql(manager, InventoryItem);
  const variant = entitySql(manager, ProductVariant);
  const [i, v] = [q('i'), q('v')];
  const [itemVariant, threshold] = [`${i}.${item.col('variantId')}`, `${i}.${item.col('lowStockThreshold')}`];
  const lowStockHead =
    `SELECT ${v}.${variant.col('sku')} AS ${q('sku')}, ${itemVariant} AS ${q('variantId')}, ${threshold} AS ${q('threshold')}, ` +
    `COALESCE(SUM(CASE WHEN ${loc}.${location.col('active')} = ? THEN ${sl}.${level.col('onHand')} - ${sl}.${level.col('reserved')} ELSE 0 END), 0) AS ${q('available')} ` +
    `FROM ${item.table} ${i} INNER JOIN ${variant.table} ${v} ON ${v}.${variant.col('id')} = ${itemVariant} ` +
    `LEFT JOIN ${level.table} ${sl} ON ${sl}.${level.col('variantId')} = ${itemVariant} ` +
    `LEFT JOIN ${location.table} ${loc} ON ${loc}.${location.col('id')} = ${sl}.${level.col('locationId')} WHERE ${itemVariant} IN `;
  const lowStockTail = ` AND ${threshold} IS NOT NULL GROUP BY ${itemVariant}, ${v}.${variant.col('sku')}, ${threshold}`;
  const changes = [changeSql(false, false), changeSql(false, true), changeSql(true, false), changeSql(true, true)];
  return {
    candidates: inListStatement(candidatesHead, candidatesTail),
    lowStock: inListStatement(lowStockHead, lowStockTail),
    change: (withOnHand, withReserved) => changes[(withOnHand ? 2 : 0) + (withReserved ? 1 : 0)],
    level,
    location,
    movement,
  };
}

function assertQuantity(quantity: number): void {
  if (!Number.isSafeInteger(quantity) || quantity < 1) throw new RangeError(`stock quantities are whole numbers of 1 or more, not ${quantity}`);
}

/**
 * Stock levels and their ledger. Every change of a level is ONE atomic conditional UPDATE (the
 * condition keeps 0 <= reserved <= on_hand), checked by its affected-row count, plus its movement
 * row in the same transaction: never read-then-write, so concurrent requests cannot oversell.
 *
 * reserve/release/commitSale/restock run inside the caller's transaction (TransactionService.run);
 * notifyIfLow runs after that transaction committed.
 */
@Injectable()
export class InventoryService {
  private readonly logger = new Logger(InventoryService.name);
  private compiled?: StockStatements;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly events: EventEmitter2,
  ) {}

  // ---- the contract for checkout and orders ------------------------------------------------

  /**
   * All or nothing: each line is reserved from ONE active location (lowest priority number first,
   * then code) by an atomic conditional UPDATE (on_hand - reserved >= quantity). When any line
   * cannot be reserved it throws OutOfStockError naming every short SKU, and the caller's
   * transaction rolls back what was reserved. Writes one `reserved` movement per line.
   * Returns one allocation per line, in the order of `lines`.
   */
  async reserve(manager: EntityManager, lines: StockLine[], ref: StockRef): Promise<Allocation[]> {
    lines.forEach((line) => assertQuantity(line.quantity));
    if (lines.length === 0) return [];
    // Candidate locations per variant, best first. This read only orders the attempts: the
    // conditional UPDATE below decides, so a stale snapshot can cost a retry, never an oversell.
    const variantIds = [...new Set(lines.map((line) => line.variantId))];
    const statements = this.statements(manager);
    const rows = await selectRows<{ variantId: string; locationId: string; available: number | string }>(manager, statements.candidates(variantIds.length), [
      ...variantIds,
      statements.location.value('active', true),
    ]);
    const candidates = new Map<string, Array<{ locationId: string; available: number }>>();
    for (const row of rows) {
      const list = candidates.get(row.variantId) ?? [];
      list.push({ locationId: row.locationId, available: Number(row.available) });
      candidates.set(row.variantId, list);
    }

    // Lines in variant-id order, so concurrent multi-line reservations lock rows in one order (no deadlock cycles).
    const order = lines.map((_, index) => index).sort((a, b) => (lines[a].variantId < lines[b].variantId ? -1 : lines[a].variantId > lines[b].variantId ? 1 : a - b));
    const allocations: Allocation[] = new Array<Allocation>(lines.length);
    const short: string[] = [];
    for (const index of order) {
      const line = lines[index];
      const all = candidates.get(line.variantId) ?? [];
      const enough = all.filter((option) => option.available >= line.quantity);
      if (short.length > 0) {
        // Already failing: only find the other short SKUs (by the snapshot), without taking more row locks.
        if (enough.length === 0) short.push(line.sku);
        continue;
      }
      // Locations that looked sufficient first; the others too, in case the snapshot is older than a receipt.
      const options = [...enough, ...all.filter((option) => option.available < line.quantity)];
      let chosen: { locationId: string; available: number } | undefined;
      for (const option of options) {
        if (await this.change(manager, line.variantId, option.locationId, 0, line.quantity)) {
          chosen = option;
          break;
        }
      }
      if (!chosen) {
        short.push(line.sku);
        continue;
      }
      chosen.available -= line.quantity;
      allocations[index] = { variantId: line.variantId, locationId: chosen.locationId, quantity: line.quantity };
    }
    if (short.length > 0) throw new OutOfStockError(short);
    await this.record(
      manager,
      StockMovementKind.Reserved,
      allocations.map((a) => ({ variantId: a.variantId, locationId: a.locationId, onHandDelta: 0, reservedDelta: a.quantity })),
      ref,
    );
    return allocations;
  }

  /** Gives reserved units back (`released`): reserved -= quantity. 409 if fewer are reserved. */
  async release(manager: EntityManager, allocations: Allocation[], ref: StockRef): Promise<void> {
    await this.applyAll(manager, StockMovementKind.Released, allocations, ref, (a) => ({ onHandDelta: 0, reservedDelta: -a.quantity }));
  }

  /** A paid order takes its reserved units (`sold`): on_hand -= quantity and reserved -= quantity. 409 if fewer are reserved. */
  async commitSale(manager: EntityManager, allocations: Allocation[], ref: StockRef): Promise<void> {
    await this.applyAll(manager, StockMovementKind.Sold, allocations, ref, (a) => ({ onHandDelta: -a.quantity, reservedDelta: -a.quantity }));
  }

  /** Sold units come back into stock (`returned`): on_hand += quantity at the allocation's location. */
  async restock(manager: EntityManager, allocations: Allocation[], ref: StockRef): Promise<void> {
    for (const allocation of allocations) await this.ensureLevel(manager, allocation.variantId, allocation.locationId);
    await this.applyAll(manager, StockMovementKind.Returned, allocations, ref, (a) => ({ onHandDelta: a.quantity, reservedDelta: 0 }));
  }

  /**
   * After commit: emits `inventory.low-stock` for each of these variants that has a threshold and
   * whose available stock is at or under it. Never throws (the change it follows is committed).
   */
  async notifyIfLow(variantIds: string[]): Promise<void> {
    const ids = [...new Set(variantIds)];
    if (ids.length === 0) return;
    try {
      const manager = this.dataSource.manager;
      const statements = this.statements(manager);
      const rows = await selectRows<{ variantId: string; sku: string; threshold: number | string; available: number | string }>(
        manager,
        statements.lowStock(ids.length),
        [statements.location.value('active', true), ...ids],
      );
      for (const row of rows) {
        const event: LowStockEvent = { variantId: row.variantId, sku: row.sku, available: Number(row.available), threshold: Number(row.threshold) };
        if (event.available <= event.threshold) this.events.emit(LOW_STOCK_EVENT, event);
      }
    } catch (error) {
      this.logger.warn({ event: 'inventory.low_stock_check_failed', err: error }, 'low-stock check failed');
    }
  }

  // ---- staff operations ------------------------------------------------------------------------

  /** Goods in: on_hand += quantity (a `received` movement); creates the level when missing. */
  async receive(input: ReceiveStockDto, actorId: string | null): Promise<StockLevelDto> {
    const level = await this.tx.run(async (manager) => {
      await this.requireVariant(manager, input.variantId);
      await this.requireLocation(manager, input.locationId);
      await this.ensureLevel(manager, input.variantId, input.locationId);
      if (!(await this.change(manager, input.variantId, input.locationId, input.quantity, 0))) {
        throw new Error('stock level vanished during a receipt');
      }
      await this.record(manager, StockMovementKind.Received, [{ variantId: input.variantId, locationId: input.locationId, onHandDelta: input.quantity, reservedDelta: 0 }], {
        actorId,
        orderId: null,
        reason: input.reason?.trim(),
      });
      return this.level(manager, input.variantId, input.locationId);
    });
    await this.notifyIfLow([input.variantId]);
    return level;
  }

  /**
   * A correction: on_hand += delta, only where the result stays >= reserved (and so >= 0), in one
   * conditional UPDATE; otherwise 422 naming the SKU. A missing level is created for delta > 0.
   */
  async adjust(input: AdjustStockDto, actorId: string | null): Promise<StockLevelDto> {
    const level = await this.tx.run(async (manager) => {
      const variant = await this.requireVariant(manager, input.variantId);
      const location = await this.requireLocation(manager, input.locationId);
      if (input.delta > 0) await this.ensureLevel(manager, input.variantId, input.locationId);
      if (!(await this.change(manager, input.variantId, input.locationId, input.delta, 0))) {
        const current = await manager
          .createQueryBuilder(StockLevel, 'sl')
          .select(['sl.onHand', 'sl.reserved'])
          .where({ variantId: input.variantId, locationId: input.locationId })
          .getOne();
        throw new InsufficientStockError(
          variant.sku,
          `Cannot remove ${-input.delta} of ${variant.sku} at ${location.code}: ${current?.onHand ?? 0} on hand, ${current?.reserved ?? 0} of them reserved.`,
        );
      }
      await this.record(manager, StockMovementKind.Adjusted, [{ variantId: input.variantId, locationId: input.locationId, onHandDelta: input.delta, reservedDelta: 0 }], {
        actorId,
        orderId: null,
        reason: input.reason.trim(),
      });
      return this.level(manager, input.variantId, input.locationId);
    });
    await this.notifyIfLow([input.variantId]);
    return level;
  }

  /** Sets (or clears, with null) the low-stock threshold of a variant. */
  async setThreshold(variantId: string, threshold: number | null): Promise<VariantStockDto> {
    await this.tx.run(async (manager) => {
      await this.requireVariant(manager, variantId);
      const now = new Date();
      await manager
        .createQueryBuilder()
        .insert()
        .into(InventoryItem)
        .values({ variantId, lowStockThreshold: threshold, createdAt: now, updatedAt: now })
        .orUpdate(['low_stock_threshold', 'updated_at'], ['variant_id'])
        .updateEntity(false)
        .execute();
    });
    await this.notifyIfLow([variantId]);
    return this.variantStock(variantId);
  }

  /** Levels per location (by priority), totals and threshold of a variant of any product status. */
  async variantStock(variantId: string): Promise<VariantStockDto> {
    const manager = this.dataSource.manager;
    const variant = await this.requireVariant(manager, variantId);
    const levels = await this.levels(manager, { variantId });
    const item = await manager.createQueryBuilder(InventoryItem, 'i').select(['i.variantId', 'i.lowStockThreshold']).where({ variantId }).getOne();
    const active = levels.filter((level) => level.locationActive);
    const totals = {
      onHand: levels.reduce((sum, level) => sum + level.onHand, 0),
      reserved: levels.reduce((sum, level) => sum + level.reserved, 0),
      available: active.reduce((sum, level) => sum + level.available, 0),
    };
    const sellable = Math.max(0, ...active.map((level) => level.available));
    const threshold = item?.lowStockThreshold ?? null;
    // The threshold asks for restocking, so it watches every unit in stock, not what one order can take.
    const lowStock = threshold !== null && totals.available <= threshold;
    return { variantId, sku: variant.sku, levels, totals, sellable, lowStockThreshold: threshold, lowStock };
  }

  /**
   * Public availability: what one order can take now. reserve() takes each line from ONE location,
   * so that is the most available at any single active location, not the sum over them (3 + 5 in
   * two places sells at most 5 at once). 404 for unknown variants and variants of products that are not active.
   */
  async availability(variantId: string): Promise<AvailabilityDto> {
    const manager = this.dataSource.manager;
    const variant = await this.requireVariant(manager, variantId);
    if (variant.status !== ProductStatus.Active) throw new NotFoundError('Variant', variantId);
    const row = await manager
      .createQueryBuilder(StockLevel, 'sl')
      .select('COALESCE(MAX(sl.on_hand - sl.reserved), 0)', 'available')
      .innerJoin(StockLocation, 'loc', 'loc.id = sl.location_id')
      .where({ variantId })
      .andWhere('loc.active = :active', { active: true })
      .getRawOne<{ available: number | string }>();
    const available = Number(row?.available ?? 0);
    return { variantId, sku: variant.sku, available, inStock: available > 0 };
  }

  /** The ledger, newest first, optionally for one variant, location or kind. */
  async listMovements(query: ListMovementsQueryDto): Promise<Page<StockMovementDto>> {
    const manager = this.dataSource.manager;
    if (query.variantId) await this.requireVariant(manager, query.variantId);
    if (query.locationId) await this.requireLocation(manager, query.locationId);
    const qb = manager
      .createQueryBuilder(StockMovement, 'm')
      .select(['m.id', 'm.variantId', 'm.locationId', 'm.kind', 'm.onHandDelta', 'm.reservedDelta', 'm.reason', 'm.actorId', 'm.orderId', 'm.createdAt']);
    if (query.variantId) qb.andWhere('m.variantId = :variantId', { variantId: query.variantId });
    if (query.locationId) qb.andWhere('m.locationId = :locationId', { locationId: query.locationId });
    if (query.kind) qb.andWhere('m.kind = :kind', { kind: query.kind });
    if (query.cursor) {
      const after = decodeCursor(query.cursor, (key): key is { id: string } => typeof key.id === 'string' && UUID.test(key.id));
      qb.andWhere('m.id < :afterId', { afterId: after.id });
    }
    const rows = await qb.orderBy('m.id', 'DESC').limit(query.limit + 1).getMany();
    const page = rows.slice(0, query.limit);
    return {
      data: page.map((row) => ({
        id: row.id,
        variantId: row.variantId,
        locationId: row.locationId,
        kind: row.kind,
        onHandDelta: row.onHandDelta,
        reservedDelta: row.reservedDelta,
        reason: row.reason,
        actorId: row.actorId,
        orderId: row.orderId,
        createdAt: row.createdAt.toISOString(),
      })),
      nextCursor: rows.length > query.limit ? encodeCursor({ id: page[page.length - 1].id }) : null,
    };
  }

  // ---- internals -------------------------------------------------------------------------------

  /**
   * The one way a level changes: on_hand += onHandDelta, reserved += reservedDelta, in a single
   * UPDATE whose condition keeps 0 <= reserved <= on_hand afterwards. False when no row matched
   * (missing level or not enough stock); nothing changed then.
   */
  private async change(manager: EntityManager, variantId: string, locationId: string, onHandDelta: number, reservedDelta: number): Promise<boolean> {
    const { change, level } = this.statements(manager);
    const params: unknown[] = [];
    if (onHandDelta !== 0) params.push(onHandDelta);
    if (reservedDelta !== 0) params.push(reservedDelta);
    params.push(level.value('updatedAt', new Date()), variantId, locationId, reservedDelta, onHandDelta, reservedDelta);
    return (await execute(manager, change(onHandDelta !== 0, reservedDelta !== 0), params)) > 0;
  }

  /** Applies the same kind of change to every allocation; 409 (and the caller rolls back) when one does not fit. */
  private async applyAll(
    manager: EntityManager,
    kind: StockMovementKind,
    allocations: Allocation[],
    ref: StockRef,
    deltas: (allocation: Allocation) => Pick<Change, 'onHandDelta' | 'reservedDelta'>,
  ): Promise<void> {
    allocations.forEach((allocation) => assertQuantity(allocation.quantity));
    const sorted = [...allocations].sort((a, b) => (a.variantId + a.locationId < b.variantId + b.locationId ? -1 : 1));
    const changes: Change[] = [];
    for (const allocation of sorted) {
      const change = { variantId: allocation.variantId, locationId: allocation.locationId, ...deltas(allocation) };
      if (!(await this.change(manager, change.variantId, change.locationId, change.onHandDelta, change.reservedDelta))) {
        throw new ConflictError(
          `Cannot record ${kind} of ${allocation.quantity} for variant ${allocation.variantId} at location ${allocation.locationId}: ` +
            'the stock level does not hold that many reserved units.',
        );
      }
      changes.push(change);
    }
    await this.record(manager, kind, changes, ref);
  }

  /** Creates the (variant, location) level with zero stock unless it exists; no movement needed for zeros. */
  private async ensureLevel(manager: EntityManager, variantId: string, locationId: string): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(StockLevel)
      .values({ variantId, locationId, onHand: 0, reserved: 0, updatedAt: new Date() })
      .orIgnore()
      .updateEntity(false)
      .execute();
  }

  /** Appends movement rows, in multi-row INSERTs without reading them back. */
  private async record(manager: EntityManager, kind: StockMovementKind, changes: Change[], ref: StockRef): Promise<void> {
    const now = new Date();
    const rows: MovementRow[] = changes.map((change) => ({
      id: uuidv7(),
      variantId: change.variantId,
      locationId: change.locationId,
      kind,
      onHandDelta: change.onHandDelta,
      reservedDelta: change.reservedDelta,
      reason: ref.reason ?? null,
      actorId: ref.actorId,
      orderId: ref.orderId,
      createdAt: now,
    }));
    const { movement } = this.statements(manager);
    for (let start = 0; start < rows.length; start += INSERT_BATCH) {
      const { sql, params } = movement.insert(rows.slice(start, start + INSERT_BATCH));
      await execute(manager, sql, params);
    }
  }

  private statements(manager: EntityManager): StockStatements {
    return (this.compiled ??= stockStatements(manager));
  }

  private async requireVariant(manager: EntityManager, variantId: string): Promise<{ id: string; sku: string; status: ProductStatus }> {
    const row = UUID.test(variantId)
      ? await manager
          .createQueryBuilder(ProductVariant, 'v')
          .select('v.id', 'id')
          .addSelect('v.sku', 'sku')
          .addSelect('p.status', 'status')
          .innerJoin(Product, 'p', 'p.id = v.product_id')
          .where('v.id = :variantId', { variantId })
          .getRawOne<{ id: string; sku: string; status: ProductStatus }>()
      : undefined;
    if (!row) throw new NotFoundError('Variant', variantId);
    return row;
  }

  private async requireLocation(manager: EntityManager, locationId: string): Promise<{ id: string; code: string }> {
    const row = UUID.test(locationId)
      ? await manager.createQueryBuilder(StockLocation, 'loc').select(['loc.id', 'loc.code']).where({ id: locationId }).getOne()
      : null;
    if (!row) throw new NotFoundError('Stock location', locationId);
    return row;
  }

  private async level(manager: EntityManager, variantId: string, locationId: string): Promise<StockLevelDto> {
    const [level] = await this.levels(manager, { variantId, locationId });
    return level;
  }

  private async levels(manager: EntityManager, where: { variantId: string; locationId?: string }): Promise<StockLevelDto[]> {
    const qb = manager
      .createQueryBuilder(StockLevel, 'sl')
      .select('sl.variant_id', 'variantId')
      .addSelect('v.sku', 'sku')
      .addSelect('sl.location_id', 'locationId')
      .addSelect('loc.code', 'locationCode')
      .addSelect('loc.active', 'locationActive')
      .addSelect('sl.on_hand', 'onHand')
      .addSelect('sl.reserved', 'reserved')
      .addSelect('sl.updated_at', 'updatedAt')
      .innerJoin(StockLocation, 'loc', 'loc.id = sl.location_id')
      .innerJoin(ProductVariant, 'v', 'v.id = sl.variant_id')
      .where('sl.variant_id = :variantId', { variantId: where.variantId });
    if (where.locationId) qb.andWhere('sl.location_id = :locationId', { locationId: where.locationId });
    const rows = await qb.orderBy('loc.priority', 'ASC').addOrderBy('loc.code', 'ASC').getRawMany<Record<string, string | number | Date | boolean>>();
    return rows.map((row) => {
      const onHand = Number(row.onHand);
      const reserved = Number(row.reserved);
      return {
        variantId: String(row.variantId),
        sku: String(row.sku),
        locationId: String(row.locationId),
        locationCode: String(row.locationCode),
        locationActive: Boolean(Number(row.locationActive)),
        onHand,
        reserved,
        available: onHand - reserved,
        updatedAt: toDate(row.updatedAt).toISOString(),
      };
    });
  }
}

/** Raw datetime columns: a Date from mysql2, `YYYY-MM-DD HH:MM:SS.mmm` (UTC) text from SQLite. */
function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  return new Date(`${String(value).replace(' ', 'T')}Z`);
}
