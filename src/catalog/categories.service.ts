import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ConflictError, NotFoundError, PreconditionFailedError, RuleViolationError } from '../common/problem/app-error';
import { ValidationFailedException } from '../common/problem/problem';
import { decodeCursor, encodeCursor, Page, PageQueryDto } from '../common/pagination/pagination';
import { forUpdate, isUniqueViolation } from '../database/query-helpers';
import { TransactionService } from '../database/transaction.service';
import { CacheService } from '../cache/cache.service';
import { CatalogTags } from './catalog-cache';
import { UUID } from './catalog.rules';
import { CategoryDto, CreateCategoryDto, UpdateCategoryDto } from './dto/category.dto';
import { Category } from './entities/category.entity';

const COLUMNS = ['c.id', 'c.parentId', 'c.name', 'c.slug', 'c.path', 'c.position', 'c.version', 'c.createdAt', 'c.updatedAt'] as const;
export const MAX_PATH_LENGTH = 1000;

type CategoryRow = Pick<Category, 'id' | 'parentId' | 'name' | 'slug' | 'path' | 'position' | 'version' | 'createdAt' | 'updatedAt'>;
export type VersionedCategory = { category: CategoryDto; version: number };

function toDto(row: CategoryRow): CategoryDto {
  return {
    id: row.id,
    parentId: row.parentId,
    name: row.name,
    slug: row.slug,
    path: row.path,
    depth: row.path.split('/').length - 3,
    position: row.position,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function tooDeep(): RuleViolationError {
  return new RuleViolationError(`The category tree may be at most ${Math.floor((MAX_PATH_LENGTH - 1) / 37)} levels deep.`);
}

@Injectable()
export class CategoriesService {
  constructor(
    @InjectRepository(Category) private readonly categories: Repository<Category>,
    private readonly tx: TransactionService,
    private readonly cache: CacheService,
  ) {}

  /** The whole tree, depth first: each category comes right before its subtree. */
  async list(query: PageQueryDto): Promise<Page<CategoryDto>> {
    const qb = this.categories.createQueryBuilder('c').select([...COLUMNS]);
    if (query.cursor) {
      const after = decodeCursor(query.cursor, (key): key is { id: string } => typeof key.id === 'string' && UUID.test(key.id));
      const anchor = await this.categories.createQueryBuilder('c').select(['c.path']).where('c.id = :id', { id: after.id }).getOne();
      if (!anchor) throw new ValidationFailedException([{ field: 'cursor', message: 'cursor is not one this API issued' }]);
      qb.where('c.path > :path', { path: anchor.path });
    }
    const rows = await qb.orderBy('c.path', 'ASC').limit(query.limit + 1).getMany();
    const page = rows.slice(0, query.limit);
    return {
      data: page.map(toDto),
      nextCursor: rows.length > query.limit ? encodeCursor({ id: page[page.length - 1].id }) : null,
    };
  }

  async get(id: string): Promise<VersionedCategory> {
    const row = UUID.test(id) ? await this.categories.createQueryBuilder('c').select([...COLUMNS]).where('c.id = :id', { id }).getOne() : null;
    if (!row) throw new NotFoundError('Category', id);
    return { category: toDto(row), version: row.version };
  }

  /** The path prefix of a category and its descendants; 404 when it does not exist. */
  async pathOf(id: string): Promise<string> {
    const row = await this.categories.createQueryBuilder('c').select(['c.path']).where('c.id = :id', { id }).getOne();
    if (!row) throw new NotFoundError('Category', id);
    return row.path;
  }

  /** The ids among `ids` that are not categories. */
  async missing(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.categories.createQueryBuilder('c').select(['c.id']).where('c.id IN (:...ids)', { ids }).getMany();
    const found = new Set(rows.map((row) => row.id));
    return ids.filter((id) => !found.has(id));
  }

  async create(input: CreateCategoryDto): Promise<VersionedCategory> {
    const id = uuidv7();
    const now = new Date();
    try {
      await this.tx.run(async (manager) => {
        let parentPath = '/';
        if (input.parentId) {
          // Locked, so a concurrent move of the parent cannot leave the new child with a stale path.
          const parent = await forUpdate(
            manager.createQueryBuilder(Category, 'c').select(['c.path']).where('c.id = :id', { id: input.parentId }),
          ).getOne();
          if (!parent) throw new NotFoundError('Parent category', input.parentId);
          parentPath = parent.path;
        }
        const path = `${parentPath}${id}/`;
        if (path.length > MAX_PATH_LENGTH) throw tooDeep();
        await manager.insert(Category, {
          id,
          parentId: input.parentId ?? null,
          name: input.name.trim(),
          slug: input.slug,
          path,
          position: input.position ?? 0,
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
        await this.cache.recordChange(manager);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A category with the slug "${input.slug}" already exists.`);
      throw error;
    }
    // After the commit, before answering: cached catalog reads may show the old tree or paths.
    await this.cache.invalidate(CatalogTags.categoryWrite());
    return this.get(id);
  }

  /**
   * Edits a category. A new parent moves the whole subtree: every descendant's path is rewritten
   * in the same transaction, with the rows locked. A category cannot move under itself or one of
   * its descendants (422).
   */
  async update(id: string, input: UpdateCategoryDto, expectedVersion: number | undefined): Promise<VersionedCategory> {
    if (!UUID.test(id)) throw new NotFoundError('Category', id);
    try {
      await this.tx.run(async (manager) => {
        const current = await forUpdate(
          manager.createQueryBuilder(Category, 'c').select(['c.id', 'c.parentId', 'c.path', 'c.version']).where('c.id = :id', { id }),
        ).getOne();
        if (!current) throw new NotFoundError('Category', id);
        if (expectedVersion !== undefined && expectedVersion !== current.version) {
          throw new PreconditionFailedError('The category changed since you read it; fetch it again and retry.');
        }
        const now = new Date();
        const changes: Partial<Category> = { version: current.version + 1, updatedAt: now };
        if (input.name !== undefined) changes.name = input.name.trim();
        if (input.slug !== undefined) changes.slug = input.slug;
        if (input.position !== undefined) changes.position = input.position;
        if (input.parentId !== undefined && input.parentId !== current.parentId) {
          let parentPath = '/';
          if (input.parentId !== null) {
            const parent = await forUpdate(
              manager.createQueryBuilder(Category, 'c').select(['c.path']).where('c.id = :id', { id: input.parentId }),
            ).getOne();
            if (!parent) throw new NotFoundError('Parent category', input.parentId);
            if (parent.path.startsWith(current.path)) {
              throw new RuleViolationError('A category cannot be moved under itself or one of its descendants.');
            }
            parentPath = parent.path;
          }
          const newPath = `${parentPath}${id}/`;
          const subtree = await forUpdate(
            manager
              .createQueryBuilder(Category, 'c')
              .select(['c.id', 'c.path', 'c.version'])
              .where('c.path LIKE :prefix', { prefix: `${current.path}%` })
              .andWhere('c.id <> :id', { id }),
          ).getMany();
          if ([newPath, ...subtree.map((row) => newPath + row.path.slice(current.path.length))].some((path) => path.length > MAX_PATH_LENGTH)) {
            throw tooDeep();
          }
          for (const row of subtree) {
            await manager.update(
              Category,
              { id: row.id },
              { path: newPath + row.path.slice(current.path.length), version: row.version + 1, updatedAt: now },
            );
          }
          changes.parentId = input.parentId;
          changes.path = newPath;
        }
        const result = await manager.update(Category, { id, version: current.version }, changes);
        if (result.affected === 0) throw new PreconditionFailedError('The category changed since you read it; fetch it again and retry.');
        await this.cache.recordChange(manager);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A category with the slug "${input.slug}" already exists.`);
      throw error;
    }
    // After the commit, before answering: cached catalog reads may show the old tree or paths.
    await this.cache.invalidate(CatalogTags.categoryWrite());
    return this.get(id);
  }
}
