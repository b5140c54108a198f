import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { EntityManager, EntityMetadata, Repository, SelectQueryBuilder } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { Permission } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, RuleViolationError } from '../common/problem/app-error';
import { decodeCursor, encodeCursor, Page } from '../common/pagination/pagination';
import { ValidationFailedException } from '../common/problem/problem';
import { forUpdate, isUniqueViolation } from '../database/query-helpers';
import { inListStatement, quoter } from '../database/compiled-sql';
import { TransactionService } from '../database/transaction.service';
import { CacheService } from '../cache/cache.service';
import { CategoriesService } from './categories.service';
import { CatalogTags } from './catalog-cache';
import { isCatalogStaff, UUID } from './catalog.rules';
import {
  CreateProductDto,
  CreateVariantDto,
  ListProductsQueryDto,
  ProductDto,
  ProductSort,
  UpdateProductDto,
  UpdateVariantDto,
  VariantDto,
} from './dto/product.dto';
import { ProductCategory } from './entities/product-category.entity';
import { ProductVariant } from './entities/product-variant.entity';
import { Product, ProductStatus } from './entities/product.entity';

const PRODUCT_COLUMNS = [
  'p.id', 'p.slug', 'p.name', 'p.description', 'p.status', 'p.brand', 'p.attributes', 'p.version', 'p.createdAt', 'p.updatedAt',
] as const;
const VARIANT_COLUMNS = [
  'v.id', 'v.productId', 'v.sku', 'v.options', 'v.priceAmount', 'v.currency', 'v.compareAtAmount', 'v.weightGrams', 'v.barcode',
  'v.createdAt', 'v.updatedAt',
] as const;

type ProductRow = Pick<Product, 'id' | 'slug' | 'name' | 'description' | 'status' | 'brand' | 'attributes' | 'version' | 'createdAt' | 'updatedAt'>;
type VariantRow = Omit<ProductVariant, 'product' | 'version'>;
export type VersionedProduct = { product: ProductDto; version: number };
/** The cursor: the sort, the search fingerprint (a cursor is only good for the search that made it), the last row's sort key and id. */
type CursorKey = { sort: ProductSort; id: string; q?: string; k?: string | number };
const MAX_SEARCH_WORDS = 32;
/** Reads after a staff write see the product whatever its status. */
const STAFF: Principal = { roles: [], permissions: new Set([Permission.CatalogWrite]) };

function variantDto(row: VariantRow): VariantDto {
  return {
    id: row.id,
    sku: row.sku,
    options: row.options,
    priceAmount: row.priceAmount,
    currency: row.currency,
    compareAtAmount: row.compareAtAmount,
    weightGrams: row.weightGrams,
    barcode: row.barcode,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function productDto(row: ProductRow, variants: VariantRow[], categoryIds: string[]): ProductDto {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    status: row.status,
    brand: row.brand,
    attributes: row.attributes,
    categoryIds,
    variants: variants.map(variantDto),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The compare-at price is the former price: it must be above the price, or absent. */
function checkCompareAt(priceAmount: number, compareAtAmount: number | null | undefined, sku: string): void {
  if (compareAtAmount !== null && compareAtAmount !== undefined && compareAtAmount <= priceAmount) {
    throw new RuleViolationError(`The compare-at amount of ${sku} must be above its price (${priceAmount}).`);
  }
}

interface ProductRead {
  /** Two parameters, both the key (id or slug). */
  sql: string;
  map(rows: Record<string, unknown>[]): VersionedProduct | undefined;
}

interface CatalogRows {
  /** A product from a row selecting PRODUCT_COLUMNS under the query builder's raw aliases (`p_<column>`). */
  product(row: Record<string, unknown>): ProductRow;
  /** The one-statement read of a product with its variants and category ids, by id or slug. */
  read(column: 'id' | 'slug'): ProductRead;
  /** The variants and category links of `count` products; `count` parameters, the product ids. */
  pageStatements(count: number): { variants: string; links: string };
  variant(row: Record<string, unknown>): VariantRow;
}

/**
 * The catalog's hot reads without a query builder or entity transformation per request: statements
 * compiled once (per key column, or per number of ids: a page holds at most 101) from the entity
 * metadata, names quoted for the dialect and every value a bound parameter, the same text on
 * MySQL/MariaDB and SQLite; rows hydrated by the driver (dates, JSON) into plain objects. Aliases
 * are the query builder's raw ones (`<alias>_<column>`), so list() hydrates its rows here too.
 */
function catalogRows(manager: EntityManager): CatalogRows {
  const { driver } = manager.connection;
  const q = quoter(manager);
  const product = manager.connection.getMetadata(Product);
  const variant = manager.connection.getMetadata(ProductVariant);
  const link = manager.connection.getMetadata(ProductCategory);
  const columnsOf = (metadata: EntityMetadata, alias: string, names: readonly string[]) =>
    names.map((name) => {
      const meta = metadata.findColumnWithPropertyName(name.slice(alias.length + 1))!;
      return { meta, key: `${alias}_${meta.databaseName}`, select: `${q(alias)}.${q(meta.databaseName)} AS ${q(`${alias}_${meta.databaseName}`)}` };
    });
  const column = (metadata: EntityMetadata, property: string) => q(metadata.findColumnWithPropertyName(property)!.databaseName);
  const productColumns = columnsOf(product, 'p', PRODUCT_COLUMNS);
  const variantColumns = columnsOf(variant, 'v', VARIANT_COLUMNS);
  const hydrate = <T>(row: Record<string, unknown>, columns: typeof productColumns): T => {
    const out: Record<string, unknown> = {};
    for (const c of columns) out[c.meta.propertyName] = driver.prepareHydratedValue(row[c.key], c.meta);
    return out as T;
  };
  const [p, v, pc] = [q('p'), q('v'), q('pc')];
  const [products, variants, links] = [q(product.tableName), q(variant.tableName), q(link.tableName)];
  const [linkProduct, linkCategory, variantProduct] = [column(link, 'productId'), column(link, 'categoryId'), column(variant, 'productId')];
  const categoryKey = 'pc_category_id';

  /**
   * Rows: one per variant (the product columns repeated; one with NULL variant columns when there
   * is none), UNION ALL one per category link (only `pc_category_id` set).
   */
  const read = (key: 'id' | 'slug'): ProductRead => {
    const where = `WHERE ${p}.${column(product, key)} = ?`;
    const selected = [...productColumns, ...variantColumns];
    const sql =
      `SELECT ${selected.map((c) => c.select).join(', ')}, NULL AS ${q(categoryKey)} ` +
      `FROM ${products} ${p} LEFT JOIN ${variants} ${v} ON ${v}.${variantProduct} = ${p}.${column(product, 'id')} ${where} ` +
      `UNION ALL SELECT ${selected.map((c) => `NULL AS ${q(c.key)}`).join(', ')}, ${pc}.${linkCategory} ` +
      `FROM ${links} ${pc} INNER JOIN ${products} ${p} ON ${p}.${column(product, 'id')} = ${pc}.${linkProduct} ${where}`;
    return {
      sql,
      map(rows) {
        const first = rows.find((row) => row.p_id != null);
        if (!first) return undefined;
        const head = hydrate<ProductRow>(first, productColumns);
        const found: VariantRow[] = [];
        const categoryIds: string[] = [];
        for (const row of rows) {
          if (row[categoryKey] != null) categoryIds.push(row[categoryKey] as string);
          else if (row.v_id != null) found.push(hydrate<VariantRow>(row, variantColumns));
        }
        // Ids are lower-case UUIDs: code-unit order is the database's order (what ORDER BY would give).
        found.sort((a, b) => (a.id < b.id ? -1 : 1));
        categoryIds.sort();
        return { product: productDto(head, found, categoryIds), version: head.version };
      },
    };
  };
  const reads = { id: read('id'), slug: read('slug') };

  const variantSelect = `SELECT ${variantColumns.map((c) => c.select).join(', ')} FROM ${variants} ${v} WHERE ${v}.${variantProduct} IN `;
  const linkSelect =
    `SELECT ${pc}.${linkProduct} AS ${q('pc_product_id')}, ${pc}.${linkCategory} AS ${q(categoryKey)} ` +
    `FROM ${links} ${pc} WHERE ${pc}.${linkProduct} IN `;
  const variantsIn = inListStatement(variantSelect, ` ORDER BY ${q('v_id')} ASC`);
  const linksIn = inListStatement(linkSelect, ` ORDER BY ${q(categoryKey)} ASC`);
  return {
    product: (row) => hydrate<ProductRow>(row, productColumns),
    variant: (row) => hydrate<VariantRow>(row, variantColumns),
    read: (key) => reads[key],
    pageStatements: (count) => ({ variants: variantsIn(count), links: linksIn(count) }),
  };
}

function stale(): PreconditionFailedError {
  return new PreconditionFailedError('The product changed since you read it; fetch it again and retry.');
}

@Injectable()
export class ProductsService {
  constructor(
    @InjectRepository(Product) private readonly products: Repository<Product>,
    private readonly categories: CategoriesService,
    private readonly tx: TransactionService,
    private readonly cache: CacheService,
  ) {}

  private compiledRows?: CatalogRows;

  /** One product by id or slug; non-active products exist only for catalog staff (404 for everyone else). */
  async get(key: { id: string } | { slug: string }, viewer: Principal | undefined): Promise<VersionedProduct> {
    const found = 'id' in key ? (UUID.test(key.id) ? await this.read('id', key.id) : undefined) : await this.read('slug', key.slug);
    if (!found || (found.product.status !== ProductStatus.Active && !isCatalogStaff(viewer))) {
      throw new NotFoundError('Product', 'id' in key ? key.id : key.slug);
    }
    return found;
  }

  /**
   * The hottest read: a product with its variants and category ids in ONE round trip, by a
   * statement compiled once (see catalogRows).
   */
  private async read(column: 'id' | 'slug', value: string): Promise<VersionedProduct | undefined> {
    const statement = this.rows().read(column);
    return statement.map(await this.products.manager.query<Record<string, unknown>[]>(statement.sql, [value, value]));
  }

  async list(query: ListProductsQueryDto, viewer: Principal | undefined): Promise<Page<ProductDto>> {
    const staff = isCatalogStaff(viewer);
    if (!staff && query.status !== undefined && query.status !== ProductStatus.Active) {
      throw new ForbiddenError('Only catalog staff (catalog:write) may list products that are not active.');
    }
    const search = query.q === undefined ? undefined : query.q.trim();
    const sort = query.sort ?? (search !== undefined ? ProductSort.Relevance : ProductSort.Newest);
    if (sort === ProductSort.Relevance && search === undefined) {
      throw new ValidationFailedException([{ field: 'sort', message: 'sort=relevance needs a search (q)' }]);
    }
    const qb = this.products.createQueryBuilder('p').select([...PRODUCT_COLUMNS]);
    const status = staff ? query.status : ProductStatus.Active;
    if (status) qb.andWhere('p.status = :status', { status });
    if (query.categoryId) {
      const prefix = await this.categories.pathOf(query.categoryId);
      qb.andWhere((outer) => {
        const sub = outer
          .subQuery()
          .select('pc.productId')
          .from(ProductCategory, 'pc')
          .innerJoin('categories', 'c', 'c.id = pc.category_id')
          .where('c.path LIKE :prefix');
        return `p.id IN ${sub.getQuery()}`;
      }, { prefix: `${prefix}%` });
    }
    if (query.minPrice !== undefined || query.maxPrice !== undefined) {
      qb.andWhere((outer) => {
        const sub = outer.subQuery().select('v.productId').from(ProductVariant, 'v');
        if (query.minPrice !== undefined) sub.andWhere('v.priceAmount >= :minPrice');
        if (query.maxPrice !== undefined) sub.andWhere('v.priceAmount <= :maxPrice');
        return `p.id IN ${sub.getQuery()}`;
      }, { minPrice: query.minPrice, maxPrice: query.maxPrice });
    }
    (query.attribute ?? []).forEach((filter, i) => {
      // Attributes are stored as JSON.stringify text (simple-json), where a pair reads exactly
      // `"name":"value"`; a quote inside a name or value is escaped there, so this cannot match
      // across pairs. LIKE with its wildcards escaped works the same on both dialects.
      const colon = filter.indexOf(':');
      const pair = `${JSON.stringify(filter.slice(0, colon))}:${JSON.stringify(filter.slice(colon + 1))}`;
      qb.andWhere(`p.attributes LIKE :attribute${i} ESCAPE '!'`, { [`attribute${i}`]: `%${pair.replace(/[!%_]/g, '!$&')}%` });
    });

    // The sort key of a row as an SQL expression (none for `newest`: the id alone orders it).
    let key: string | undefined;
    let descending = false;
    const fingerprint = search === undefined ? undefined : createHash('sha256').update(search).digest('base64url').slice(0, 16);
    if (search !== undefined) {
      key = this.applySearch(qb, search);
      if (key === undefined) return { data: [], nextCursor: null }; // nothing searchable (only punctuation): nothing matches
    }
    if (sort === ProductSort.Name) key = 'p.name';
    else if (sort === ProductSort.Price || sort === ProductSort.PriceDesc) {
      key = '(SELECT MIN(lv.price_amount) FROM product_variants lv WHERE lv.product_id = p.id)';
      descending = sort === ProductSort.PriceDesc;
    } else if (sort === ProductSort.Relevance) descending = true;
    else if (sort === ProductSort.Newest) key = undefined;

    if (query.cursor) {
      const after = decodeCursor(
        query.cursor,
        (value): value is CursorKey =>
          value.sort === sort &&
          value.q === fingerprint &&
          typeof value.id === 'string' &&
          UUID.test(value.id) &&
          (key === undefined || typeof value.k === (sort === ProductSort.Name ? 'string' : 'number')),
      );
      if (key === undefined) qb.andWhere('p.id < :afterId', { afterId: after.id });
      else {
        const op = descending ? '<' : '>';
        qb.andWhere(`(${key} ${op} :afterKey OR (${key} = :afterKey AND p.id > :afterId))`, { afterKey: after.k, afterId: after.id });
      }
    }
    if (key === undefined) qb.orderBy('p.id', 'DESC'); // UUIDv7 ids sort by creation time
    else qb.orderBy(key, descending ? 'DESC' : 'ASC').addOrderBy('p.id', 'ASC');
    if (key !== undefined && key !== 'p.name') qb.addSelect(key, 'sort_key');
    const raw = await qb.limit(query.limit + 1).getRawMany<Record<string, unknown> & { sort_key?: number | string }>();
    const rows = raw.map((row) => this.rows().product(row));
    const page = rows.slice(0, query.limit);
    let nextCursor: string | null = null;
    if (rows.length > query.limit) {
      const last = page[page.length - 1];
      const cursor: CursorKey = { sort, id: last.id };
      if (fingerprint !== undefined) cursor.q = fingerprint;
      if (key === 'p.name') cursor.k = last.name;
      else if (key !== undefined) cursor.k = Number(raw[page.length - 1].sort_key);
      nextCursor = encodeCursor(cursor);
    }
    return { data: await this.assemble(page), nextCursor };
  }

  /**
   * Restricts the query to products matching any word of `search` and returns the SQL expression
   * of their relevance (undefined when `search` has no words): an integer (scaled and truncated),
   * so that cursors compare it exactly. The one place that knows the dialect of word search.
   * Only the words (letters and digits) of the input reach the database, and as a bound parameter:
   * quotes, operators and SQL or FTS syntax in `q` are dropped, never interpreted.
   */
  private applySearch(qb: SelectQueryBuilder<Product>, search: string): string | undefined {
    const words = [...new Set(search.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, MAX_SEARCH_WORDS);
    if (words.length === 0) return undefined;
    if (qb.connection.driver.options.type === 'better-sqlite3') {
      // FTS5: each word a quoted string, ORed; bm25 is lower for better matches, names weigh more.
      qb.innerJoin('products_fts', 'fts', 'fts.rowid = p.rowid').andWhere('products_fts MATCH :match', {
        match: words.map((word) => `"${word}"`).join(' OR '),
      });
      return 'CAST(-bm25(products_fts, 2.0, 1.0) * 1000000 AS INTEGER)';
    }
    // MySQL/MariaDB: boolean mode, because natural language mode drops rows of relevance 0, which
    // InnoDB gives to a word found in every row (a small catalog where every product is a "shirt").
    // The words carry no operators (only letters and digits are left), so any of them matches.
    qb.andWhere('MATCH(p.name, p.description) AGAINST (:match IN BOOLEAN MODE)', { match: words.join(' ') });
    return 'FLOOR(MATCH(p.name, p.description) AGAINST (:match IN BOOLEAN MODE) * 1000000)';
  }

  async create(input: CreateProductDto): Promise<VersionedProduct> {
    for (const variant of input.variants) checkCompareAt(variant.priceAmount, variant.compareAtAmount, variant.sku);
    const categoryIds = input.categoryIds ?? [];
    await this.requireCategories(categoryIds);
    const id = uuidv7();
    const now = new Date();
    await this.write(id, async (manager) => {
      await manager.insert(Product, {
        id,
        slug: input.slug,
        name: input.name.trim(),
        description: input.description ?? null,
        status: (input.status ?? ProductStatus.Draft) as unknown as ProductStatus,
        brand: input.brand?.trim() ?? null,
        attributes: input.attributes ?? {},
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      for (const variant of input.variants) await this.insertVariant(manager, id, variant, now);
      if (categoryIds.length) await manager.insert(ProductCategory, categoryIds.map((categoryId) => ({ productId: id, categoryId })));
    });
    return this.get({ id }, STAFF);
  }

  async update(id: string, input: UpdateProductDto, expectedVersion: number | undefined): Promise<VersionedProduct> {
    if (input.categoryIds) await this.requireCategories(input.categoryIds);
    await this.write(id, async (manager) => {
      const current = await this.lock(manager, id, expectedVersion);
      if (input.status !== undefined && current.status === ProductStatus.Archived) {
        throw new RuleViolationError('The product is archived; restore it before changing its status.');
      }
      const changes: Partial<Product> = {};
      if (input.slug !== undefined) changes.slug = input.slug;
      if (input.name !== undefined) changes.name = input.name.trim();
      if (input.description !== undefined) changes.description = input.description;
      if (input.brand !== undefined) changes.brand = input.brand?.trim() ?? null;
      if (input.attributes !== undefined) changes.attributes = input.attributes;
      if (input.status !== undefined) changes.status = input.status as unknown as ProductStatus;
      if (input.categoryIds !== undefined) {
        await manager.delete(ProductCategory, { productId: id });
        if (input.categoryIds.length) {
          await manager.insert(ProductCategory, input.categoryIds.map((categoryId) => ({ productId: id, categoryId })));
        }
      }
      await this.bump(manager, current, changes);
    });
    return this.get({ id }, STAFF);
  }

  /** Archives (hides from shoppers) or restores (to draft) a product. */
  async setArchived(id: string, archived: boolean, expectedVersion: number | undefined): Promise<VersionedProduct> {
    await this.write(id, async (manager) => {
      const current = await this.lock(manager, id, expectedVersion);
      if (archived) {
        if (current.status !== ProductStatus.Archived) await this.bump(manager, current, { status: ProductStatus.Archived });
      } else {
        if (current.status !== ProductStatus.Archived) throw new RuleViolationError('Only an archived product can be restored.');
        await this.bump(manager, current, { status: ProductStatus.Draft });
      }
    });
    return this.get({ id }, STAFF);
  }

  async addVariant(id: string, input: CreateVariantDto, expectedVersion: number | undefined): Promise<VersionedProduct & { variantId: string }> {
    checkCompareAt(input.priceAmount, input.compareAtAmount, input.sku);
    let variantId = '';
    await this.write(id, async (manager) => {
      const current = await this.lock(manager, id, expectedVersion);
      const count = await manager.createQueryBuilder(ProductVariant, 'v').where('v.productId = :id', { id }).getCount();
      if (count >= 100) throw new RuleViolationError('A product has at most 100 variants.');
      variantId = await this.insertVariant(manager, id, input, new Date());
      await this.bump(manager, current, {});
    });
    return { ...(await this.get({ id }, STAFF)), variantId };
  }

  /** Changes a variant; `expectedVersion` is the product's, since the product ETag covers its variants. */
  async updateVariant(id: string, variantId: string, input: UpdateVariantDto, expectedVersion: number | undefined): Promise<VersionedProduct> {
    await this.write(id, async (manager) => {
      const current = await this.lock(manager, id, expectedVersion);
      const variant = UUID.test(variantId)
        ? await manager
            .createQueryBuilder(ProductVariant, 'v')
            .select(['v.id', 'v.sku', 'v.priceAmount', 'v.compareAtAmount', 'v.version'])
            .where('v.id = :variantId AND v.productId = :id', { variantId, id })
            .getOne()
        : null;
      if (!variant) throw new NotFoundError('Variant', variantId);
      const priceAmount = input.priceAmount ?? variant.priceAmount;
      const compareAtAmount = input.compareAtAmount === undefined ? variant.compareAtAmount : input.compareAtAmount;
      checkCompareAt(priceAmount, compareAtAmount, input.sku ?? variant.sku);
      const changes: Partial<ProductVariant> = { version: variant.version + 1, updatedAt: new Date() };
      for (const field of ['sku', 'options', 'priceAmount', 'currency', 'compareAtAmount', 'weightGrams', 'barcode'] as const) {
        if (input[field] !== undefined) Object.assign(changes, { [field]: input[field] });
      }
      await manager.update(ProductVariant, { id: variantId }, changes);
      await this.bump(manager, current, {});
    });
    return this.get({ id }, STAFF);
  }

  private async requireCategories(ids: string[]): Promise<void> {
    const [missing] = await this.categories.missing(ids);
    if (missing) throw new NotFoundError('Category', missing);
  }

  /**
   * Runs a write to product `id`; duplicate slugs and SKUs become 409. After the commit, and
   * before the caller answers, the cached public reads it affects are invalidated (on every
   * instance sharing the cache), so no read that starts after the answer sees the old product.
   */
  private async write(id: string, work: (manager: EntityManager) => Promise<void>): Promise<void> {
    try {
      await this.tx.run(async (manager) => {
        await work(manager);
        await this.cache.recordChange(manager);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('Another product already uses this slug, or another variant this SKU.');
      throw error;
    }
    await this.cache.invalidate(CatalogTags.productWrite(id));
  }

  /** Locks the product row and checks the version the caller read. */
  private async lock(manager: EntityManager, id: string, expectedVersion: number | undefined): Promise<Pick<Product, 'id' | 'status' | 'version'>> {
    const current = UUID.test(id)
      ? await forUpdate(manager.createQueryBuilder(Product, 'p').select(['p.id', 'p.status', 'p.version']).where('p.id = :id', { id })).getOne()
      : null;
    if (!current) throw new NotFoundError('Product', id);
    if (expectedVersion !== undefined && expectedVersion !== current.version) throw stale();
    return current;
  }

  /** Saves product changes with a new version; a variant change bumps it too, so the ETag changes. */
  private async bump(manager: EntityManager, current: Pick<Product, 'id' | 'version'>, changes: Partial<Product>): Promise<void> {
    const result = await manager.update(
      Product,
      { id: current.id, version: current.version },
      { ...changes, version: current.version + 1, updatedAt: new Date() },
    );
    if (result.affected === 0) throw stale();
  }

  private async insertVariant(manager: EntityManager, productId: string, input: CreateVariantDto, now: Date): Promise<string> {
    const id = uuidv7();
    await manager.insert(ProductVariant, {
      id,
      productId,
      sku: input.sku,
      options: input.options ?? {},
      priceAmount: input.priceAmount,
      currency: input.currency,
      compareAtAmount: input.compareAtAmount ?? null,
      weightGrams: input.weightGrams ?? null,
      barcode: input.barcode ?? null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    return id;
  }

  /** Adds variants and category ids to product rows, in two queries for the whole page. */
  private async assemble(rows: ProductRow[]): Promise<ProductDto[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const reader = this.rows();
    const statements = reader.pageStatements(ids.length);
    const manager = this.products.manager;
    const variants = (await manager.query<Record<string, unknown>[]>(statements.variants, ids)).map((row) => reader.variant(row));
    const links = await manager.query<Record<string, string>[]>(statements.links, ids);
    return rows.map((row) =>
      productDto(
        row,
        variants.filter((variant) => variant.productId === row.id),
        links.filter((link) => link.pc_product_id === row.id).map((link) => link.pc_category_id),
      ),
    );
  }

  private rows(): CatalogRows {
    return (this.compiledRows ??= catalogRows(this.products.manager));
  }
}
