import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { NotFoundError, RuleViolationError } from '../common/problem/app-error';
import { decodeCursor, encodeCursor, Page, PageQueryDto } from '../common/pagination/pagination';
import { TransactionService } from '../database/transaction.service';
import { AddressDto, CreateAddressDto, UpdateAddressDto } from './dto/address.dto';
import { ProfileDto, PutProfileDto } from './dto/profile.dto';
import { Address } from './entities/address.entity';
import { CustomerProfile } from './entities/customer-profile.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Saved addresses per customer; more is a 422. */
export const MAX_ADDRESSES = 50;

const ADDRESS_COLUMNS = [
  'a.id', 'a.label', 'a.fullName', 'a.line1', 'a.line2', 'a.city', 'a.region', 'a.postalCode', 'a.country', 'a.phone',
  'a.isDefaultShipping', 'a.isDefaultBilling', 'a.createdAt', 'a.updatedAt',
] as const;
type AddressRow = Omit<Address, 'user' | 'userId'>;

function addressDto(row: AddressRow): AddressDto {
  return {
    id: row.id,
    label: row.label,
    fullName: row.fullName,
    line1: row.line1,
    line2: row.line2,
    city: row.city,
    region: row.region,
    postalCode: row.postalCode,
    country: row.country,
    phone: row.phone,
    // SQLite and MySQL hand booleans back as 0/1.
    isDefaultShipping: Boolean(row.isDefaultShipping),
    isDefaultBilling: Boolean(row.isDefaultBilling),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function profileDto(row: Pick<CustomerProfile, 'firstName' | 'lastName' | 'phone' | 'createdAt' | 'updatedAt'>): ProfileDto {
  return {
    firstName: row.firstName,
    lastName: row.lastName,
    phone: row.phone,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * A customer's own profile and addresses. Every method takes the caller's user id and touches
 * only that customer's rows: another customer's address is indistinguishable from a missing one (404).
 */
@Injectable()
export class CustomersService {
  constructor(
    @InjectRepository(CustomerProfile) private readonly profiles: Repository<CustomerProfile>,
    @InjectRepository(Address) private readonly addresses: Repository<Address>,
    private readonly tx: TransactionService,
  ) {}

  async getProfile(userId: string): Promise<ProfileDto> {
    const row = await this.profiles
      .createQueryBuilder('p')
      .select(['p.firstName', 'p.lastName', 'p.phone', 'p.createdAt', 'p.updatedAt'])
      .where('p.userId = :userId', { userId })
      .getOne();
    if (!row) throw new NotFoundError('Profile');
    return profileDto(row);
  }

  /** Creates or replaces the profile; `created` tells which. */
  async putProfile(userId: string, input: PutProfileDto): Promise<{ profile: ProfileDto; created: boolean }> {
    const now = new Date();
    const values = { firstName: input.firstName, lastName: input.lastName, phone: input.phone ?? null, updatedAt: now };
    const created = await this.tx.run(async (manager) => {
      const result = await manager.createQueryBuilder().update(CustomerProfile).set(values).where('user_id = :userId', { userId }).execute();
      if (result.affected) return false;
      await manager.createQueryBuilder().insert().into(CustomerProfile).values({ userId, ...values, createdAt: now }).updateEntity(false).execute();
      return true;
    });
    return { profile: await this.getProfile(userId), created };
  }

  async listAddresses(userId: string, query: PageQueryDto): Promise<Page<AddressDto>> {
    const qb = this.addresses.createQueryBuilder('a').select([...ADDRESS_COLUMNS]).where('a.userId = :userId', { userId });
    if (query.cursor) {
      const after = decodeCursor(query.cursor, (key): key is { id: string } => typeof key.id === 'string' && UUID.test(key.id));
      qb.andWhere('a.id > :after', { after: after.id });
    }
    const rows = await qb.orderBy('a.id', 'ASC').limit(query.limit + 1).getMany();
    const page = rows.slice(0, query.limit);
    return {
      data: page.map(addressDto),
      nextCursor: rows.length > query.limit ? encodeCursor({ id: page[page.length - 1].id }) : null,
    };
  }

  async getAddress(userId: string, id: string): Promise<AddressDto> {
    return addressDto(await this.findAddress(this.addresses.manager, userId, id));
  }

  async createAddress(userId: string, input: CreateAddressDto): Promise<AddressDto> {
    const id = uuidv7();
    const now = new Date();
    await this.tx.run(async (manager) => {
      // Serializes this customer's address writes (the UPDATE locks their rows) before counting.
      await this.clearDefaults(manager, userId, id, { shipping: input.isDefaultShipping === true, billing: input.isDefaultBilling === true });
      const count = await manager.createQueryBuilder(Address, 'a').where('a.userId = :userId', { userId }).getCount();
      if (count >= MAX_ADDRESSES) throw new RuleViolationError(`A customer can save at most ${MAX_ADDRESSES} addresses; delete one first.`);
      await manager
        .createQueryBuilder()
        .insert()
        .into(Address)
        .values({
          id,
          userId,
          label: input.label ?? null,
          fullName: input.fullName,
          line1: input.line1,
          line2: input.line2 ?? null,
          city: input.city,
          region: input.region ?? null,
          postalCode: input.postalCode,
          country: input.country,
          phone: input.phone ?? null,
          isDefaultShipping: input.isDefaultShipping === true,
          isDefaultBilling: input.isDefaultBilling === true,
          createdAt: now,
          updatedAt: now,
        })
        .updateEntity(false)
        .execute();
    });
    return this.getAddress(userId, id);
  }

  async updateAddress(userId: string, id: string, input: UpdateAddressDto): Promise<AddressDto> {
    if (!UUID.test(id)) throw new NotFoundError('Address', id);
    const changes: Partial<Address> = { updatedAt: new Date() };
    for (const key of ['label', 'fullName', 'line1', 'line2', 'city', 'region', 'postalCode', 'country', 'phone', 'isDefaultShipping', 'isDefaultBilling'] as const) {
      if (input[key] !== undefined) (changes as Record<string, unknown>)[key] = input[key];
    }
    const make = { shipping: input.isDefaultShipping === true, billing: input.isDefaultBilling === true };
    await this.tx.run(async (manager) => {
      if (make.shipping || make.billing) await this.clearDefaults(manager, userId, id, make);
      const result = await manager
        .createQueryBuilder()
        .update(Address)
        .set(changes)
        .where('id = :id AND user_id = :userId', { id, userId })
        .execute();
      // Not the caller's (or gone): the defaults cleared above roll back with the transaction.
      if (!result.affected) throw new NotFoundError('Address', id);
    });
    return this.getAddress(userId, id);
  }

  async deleteAddress(userId: string, id: string): Promise<void> {
    if (!UUID.test(id)) throw new NotFoundError('Address', id);
    const result = await this.tx.run((manager) =>
      manager.createQueryBuilder().delete().from(Address).where('id = :id AND user_id = :userId', { id, userId }).execute(),
    );
    if (!result.affected) throw new NotFoundError('Address', id);
  }

  /**
   * Before `keepId` becomes a default, the customer's other defaults of that kind stop being ones,
   * in the same transaction. The UPDATE runs even when nothing is to be cleared: it locks the
   * customer's address rows (MySQL), so concurrent writes of one customer's addresses take turns
   * and at most one address per kind is ever the default.
   */
  private async clearDefaults(manager: EntityManager, userId: string, keepId: string, make: { shipping: boolean; billing: boolean }): Promise<void> {
    const set: Partial<Address> = {};
    if (make.shipping) set.isDefaultShipping = false;
    if (make.billing) set.isDefaultBilling = false;
    if (!make.shipping && !make.billing) {
      await manager.createQueryBuilder().update(Address).set({ userId }).where('user_id = :userId', { userId }).execute();
      return;
    }
    await manager.createQueryBuilder().update(Address).set(set).where('user_id = :userId AND id <> :keepId', { userId, keepId }).execute();
  }

  private async findAddress(manager: EntityManager, userId: string, id: string): Promise<AddressRow> {
    const row = UUID.test(id)
      ? await manager
          .createQueryBuilder(Address, 'a')
          .select([...ADDRESS_COLUMNS])
          .where('a.id = :id AND a.userId = :userId', { id, userId })
          .getOne()
      : null;
    if (!row) throw new NotFoundError('Address', id);
    return row;
  }
}
