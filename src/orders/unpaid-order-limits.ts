import { Injectable, OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { EntityManager } from 'typeorm';
import { AppError } from '../common/problem/app-error';
import { AppConfig } from '../config/app-config';
import { EntitySql, entitySql, execute, inListStatement, selectRows } from '../database/compiled-sql';
import { deleteBatch, isUniqueViolation } from '../database/query-helpers';
import { TransactionService } from '../database/transaction.service';
import { Purges } from '../housekeeping/purges';
import { UnpaidOrderHold } from './entities/unpaid-order-hold.entity';

export type HoldKind = 'address' | 'email' | 'customer';

/** Who an unpaid order is counted against. */
export interface HoldOwner {
  clientAddress: string | null;
  email: string;
  userId: string | null;
}

interface Subject {
  kind: HoldKind;
  key: string;
}

/** 429: the client's unpaid orders already hold as much as one client may. */
export class UnpaidOrderLimitError extends AppError {
  readonly status = 429;
  readonly type = 'unpaid-order-limit';
  readonly title = 'Too Many Requests';

  constructor(kind: HoldKind, limit: 'orders' | 'units', max: number, override readonly retryAfterSeconds: number) {
    const who = kind === 'address' ? 'one network address' : `one ${kind}`;
    const what = limit === 'orders' ? `${max} unpaid orders` : `${max} units in unpaid orders`;
    super(
      `At most ${what} are allowed for ${who} at once, and this checkout would pass that. Pay for or cancel an unpaid ` +
        'order, or wait until its reservation expires (Retry-After).',
      { limit: { kind, counts: limit, max } },
    );
  }
}

/**
 * The IPv6 /64 an address belongs to (one subscriber usually holds a whole /64, so rotating the
 * low bits buys nothing); IPv4 and IPv4-mapped addresses as they are.
 */
export function networkOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** An email as one mailbox: case and `+tag` do not make another one. */
function mailboxOf(email: string): string {
  const [local, domain = ''] = email.trim().toLowerCase().split(/@(?=[^@]*$)/);
  return `${local.replace(/\+.*$/, '')}@${domain}`;
}

interface Statements {
  hold: EntitySql<UnpaidOrderHold>;
  /** Params: units, now, subject, max orders, units, max units. */
  take: string;
  /** Params: units, units, now, then the subjects. */
  give: (count: number) => string;
  /** Params: the subjects. */
  existing: (count: number) => string;
}

/**
 * Caps on what one client may hold in unpaid orders at once: orders and reserved units per client
 * address, per email and per customer (CHECKOUT_MAX_*). Without them one anonymous client could
 * reserve a shop's whole stock with a few checkouts it never pays. Each cap is one conditional
 * UPDATE on a counter row in the checkout transaction (never a read-then-write), so parallel
 * checkouts cannot pass it together; the counters go down in the transaction that moves an order
 * out of `pending_payment`. Ordinary shoppers, with an order or two awaiting payment, never meet them.
 */
@Injectable()
export class UnpaidOrderLimits implements OnModuleInit {
  private compiled?: Statements;
  /**
   * Counter rows this instance saw within the hour: prepare() skips them (rows are purged only
   * after a day at zero, and take() still makes one that went missing).
   */
  private readonly seen = new LRUCache<string, true>({ max: 10_000, ttl: 3_600_000 });

  constructor(
    private readonly config: AppConfig,
    private readonly tx: TransactionService,
    private readonly purges: Purges,
  ) {}

  /** Counters back at zero for a day are deleted; the next checkout of their subject makes a new one. */
  onModuleInit(): void {
    this.purges.register({
      table: 'unpaid_order_holds',
      deleteBatch: (size) =>
        this.tx.run((manager) =>
          deleteBatch(manager, UnpaidOrderHold, 'e.orders = 0 AND e.units = 0 AND e.updatedAt <= :before', { before: new Date(Date.now() - 86_400_000) }, size),
        ),
    });
  }

  /**
   * Makes the owner's counter rows exist, each committed on its own, before the checkout
   * transaction. Inside it, an UPDATE that finds no row would lock the gap where the row belongs
   * (MySQL and MariaDB, repeatable read), and two checkouts of new clients inserting into the same gap
   * deadlock on each other's gap locks; on a row that exists the UPDATE locks that row alone.
   */
  async prepare(owner: HoldOwner): Promise<void> {
    const keys = subjectsOf(owner)
      .map((subject) => subject.key)
      .filter((key) => !this.seen.has(key));
    if (keys.length === 0) return;
    await this.tx.autocommit(async (manager) => {
      const { existing } = this.statements(manager);
      const found = new Set((await selectRows<{ subject: string }>(manager, existing(keys.length), keys)).map((row) => row.subject));
      const now = new Date();
      for (const key of keys) if (!found.has(key)) await this.insertFirst(manager, key, 0, now, 0);
    });
    for (const key of keys) this.seen.set(key, true);
  }

  /** Counts a new unpaid order of `units` units against its owner; 429 (and the caller's transaction rolls back) past a cap. */
  async take(manager: EntityManager, owner: HoldOwner, units: number): Promise<void> {
    const { take, hold } = this.statements(manager);
    const now = new Date();
    // Sorted: concurrent checkouts lock the counter rows in one order, so they never deadlock on them.
    for (const subject of subjectsOf(owner).sort((a, b) => (a.key < b.key ? -1 : 1))) {
      const max = this.config.checkout.unpaidLimits[subject.kind];
      const updated = () => execute(manager, take, [units, hold.value('updatedAt', now), subject.key, max.orders, units, max.units]);
      if ((await updated()) === 1) continue;
      // Not there (the purge took back a row prepare() had seen, at zero for a day): made here.
      if (units <= max.units && (await this.insertFirst(manager, subject.key, units, now))) continue;
      // The row existed (or a concurrent checkout just made it): the cap decides.
      if ((await updated()) === 1) continue;
      throw new UnpaidOrderLimitError(subject.kind, units > max.units ? 'units' : 'orders', units > max.units ? max.units : max.orders, this.config.checkout.initialReservationSeconds);
    }
  }

  /** Gives back what an order counted, when it stops awaiting payment (paid, cancelled, expired). */
  async give(manager: EntityManager, owner: HoldOwner, units: number): Promise<void> {
    const { give, hold } = this.statements(manager);
    const subjects = subjectsOf(owner).map((subject) => subject.key);
    await execute(manager, give(subjects.length), [units, units, hold.value('updatedAt', new Date()), ...subjects]);
  }

  private async insertFirst(manager: EntityManager, subject: string, units: number, now: Date, orders = 1): Promise<boolean> {
    const { sql, params } = this.statements(manager).hold.insert([{ subject, orders, units, updatedAt: now }]);
    try {
      await execute(manager, sql, params);
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  private statements(manager: EntityManager): Statements {
    if (!this.compiled) {
      const hold = entitySql(manager, UnpaidOrderHold);
      const [orders, units, updatedAt, subject] = [hold.col('orders'), hold.col('units'), hold.col('updatedAt'), hold.col('subject')];
      this.compiled = {
        hold,
        take:
          `UPDATE ${hold.table} SET ${orders} = ${orders} + 1, ${units} = ${units} + ?, ${updatedAt} = ? ` +
          `WHERE ${subject} = ? AND ${orders} + 1 <= ? AND ${units} + ? <= ?`,
        give: inListStatement(
          `UPDATE ${hold.table} SET ${orders} = CASE WHEN ${orders} > 0 THEN ${orders} - 1 ELSE 0 END, ` +
            `${units} = CASE WHEN ${units} >= ? THEN ${units} - ? ELSE 0 END, ${updatedAt} = ? WHERE ${subject} IN `,
        ),
        existing: inListStatement(`SELECT ${subject} AS subject FROM ${hold.table} WHERE ${subject} IN `),
      };
    }
    return this.compiled;
  }
}

function subjectsOf(owner: HoldOwner): Subject[] {
  const subjects: Subject[] = [{ kind: 'email', key: `email:${createHash('sha256').update(mailboxOf(owner.email)).digest('hex').slice(0, 40)}` }];
  if (owner.clientAddress) subjects.push({ kind: 'address', key: `address:${networkOf(owner.clientAddress)}` });
  if (owner.userId) subjects.push({ kind: 'customer', key: `customer:${owner.userId}` });
  return subjects;
}
