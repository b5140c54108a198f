import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { UUID } from '../catalog/catalog.rules';
import { decodeCursor, encodeCursor, Page, PageQueryDto } from '../common/pagination/pagination';
import { ConflictError, NotFoundError, RuleViolationError } from '../common/problem/app-error';
import { isUniqueViolation } from '../database/query-helpers';
import { TransactionService } from '../database/transaction.service';
import { CreateStockLocationDto, StockLocationDto, UpdateStockLocationDto } from './dto/stock-location.dto';
import { StockLocation } from './entities/stock-location.entity';

const COLUMNS = [
  'loc.id', 'loc.code', 'loc.name', 'loc.addressLine1', 'loc.addressCity', 'loc.addressPostalCode', 'loc.addressCountry',
  'loc.latitude', 'loc.longitude', 'loc.priority', 'loc.active', 'loc.createdAt', 'loc.updatedAt',
] as const;

type CursorKey = { p: number; c: string };

function locationDto(row: StockLocation): StockLocationDto {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    address: { line1: row.addressLine1, city: row.addressCity, postalCode: row.addressPostalCode, country: row.addressCountry },
    latitude: row.latitude,
    longitude: row.longitude,
    priority: row.priority,
    active: row.active,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Coordinates go together: both or neither. */
function checkCoordinates(latitude: number | null | undefined, longitude: number | null | undefined): void {
  if ((latitude === null || latitude === undefined) !== (longitude === null || longitude === undefined)) {
    throw new RuleViolationError('latitude and longitude go together: give both or neither.');
  }
}

function duplicateCode(error: unknown, code: string | undefined): unknown {
  return isUniqueViolation(error) ? new ConflictError(`Another stock location already has the code ${code}.`) : error;
}

@Injectable()
export class StockLocationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
  ) {}

  /** Every location, in reservation order (priority, then code). */
  async list(query: PageQueryDto): Promise<Page<StockLocationDto>> {
    const qb = this.dataSource.createQueryBuilder(StockLocation, 'loc').select([...COLUMNS]);
    if (query.cursor) {
      const after = decodeCursor(query.cursor, (key): key is CursorKey => Number.isSafeInteger(key.p) && typeof key.c === 'string');
      qb.where('(loc.priority > :p OR (loc.priority = :p AND loc.code > :c))', { p: after.p, c: after.c });
    }
    const rows = await qb.orderBy('loc.priority', 'ASC').addOrderBy('loc.code', 'ASC').limit(query.limit + 1).getMany();
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { data: page.map(locationDto), nextCursor: rows.length > query.limit ? encodeCursor({ p: last.priority, c: last.code }) : null };
  }

  async get(id: string): Promise<StockLocationDto> {
    const row = UUID.test(id) ? await this.dataSource.createQueryBuilder(StockLocation, 'loc').select([...COLUMNS]).where({ id }).getOne() : null;
    if (!row) throw new NotFoundError('Stock location', id);
    return locationDto(row);
  }

  async create(input: CreateStockLocationDto): Promise<StockLocationDto> {
    checkCoordinates(input.latitude, input.longitude);
    const id = uuidv7();
    const now = new Date();
    try {
      await this.tx.run((manager) =>
        manager
          .createQueryBuilder()
          .insert()
          .into(StockLocation)
          .values({
            id,
            code: input.code,
            name: input.name.trim(),
            addressLine1: input.address.line1.trim(),
            addressCity: input.address.city.trim(),
            addressPostalCode: input.address.postalCode.trim(),
            addressCountry: input.address.country,
            latitude: input.latitude ?? null,
            longitude: input.longitude ?? null,
            priority: input.priority ?? 0,
            active: input.active ?? true,
            createdAt: now,
            updatedAt: now,
          })
          .updateEntity(false)
          .execute(),
      );
    } catch (error) {
      throw duplicateCode(error, input.code);
    }
    return this.get(id);
  }

  async update(id: string, input: UpdateStockLocationDto): Promise<StockLocationDto> {
    const current = await this.get(id);
    const latitude = input.latitude === undefined ? current.latitude : input.latitude;
    const longitude = input.longitude === undefined ? current.longitude : input.longitude;
    if (input.latitude !== undefined || input.longitude !== undefined) checkCoordinates(latitude, longitude);
    const changes: Partial<StockLocation> = { updatedAt: new Date() };
    if (input.code !== undefined) changes.code = input.code;
    if (input.name !== undefined) changes.name = input.name.trim();
    if (input.address !== undefined) {
      changes.addressLine1 = input.address.line1.trim();
      changes.addressCity = input.address.city.trim();
      changes.addressPostalCode = input.address.postalCode.trim();
      changes.addressCountry = input.address.country;
    }
    if (input.latitude !== undefined) changes.latitude = input.latitude;
    if (input.longitude !== undefined) changes.longitude = input.longitude;
    if (input.priority !== undefined) changes.priority = input.priority;
    if (input.active !== undefined) changes.active = input.active;
    try {
      await this.tx.run((manager) => manager.update(StockLocation, { id }, changes));
    } catch (error) {
      throw duplicateCode(error, input.code);
    }
    return this.get(id);
  }
}
