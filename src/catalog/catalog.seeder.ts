import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { Category } from './entities/category.entity';
import { ProductCategory } from './entities/product-category.entity';
import { ProductVariant } from './entities/product-variant.entity';
import { Product, ProductStatus } from './entities/product.entity';

/** Products seeded at start-up on an empty catalog when SEED_DEMO_DATA is on. */
export const DEMO_PRODUCT_COUNT = 50;
/** Products written per transaction; their variants and category links go in the same one. */
const PRODUCTS_PER_BATCH = 500;

export interface SeedOptions {
  /** Add products even when the catalog already has some (new slugs and SKUs, categories reused). */
  force?: boolean;
  /** PRNG seed: the same seed and count give the same catalog content. */
  seed?: number;
}

export interface SeedResult {
  /** True when nothing was written because products already exist (and `force` was not given). */
  skipped: boolean;
  products: number;
  variants: number;
  categoriesCreated: number;
  durationMs: number;
}

/** mulberry32: a tiny, fast, seedable PRNG; good enough for demo data, never for secrets. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type OptionKind = 'apparel' | 'shoes' | 'colour' | 'capacity' | 'none';
interface Leaf {
  name: string;
  nouns: string[];
  options: OptionKind;
  /** Price range in euro cents. */
  price: [number, number];
  materials: string[];
}
interface Root {
  name: string;
  children: Array<Leaf | { name: string; children: Leaf[] }>;
}

const TREE: Root[] = [
  {
    name: 'Apparel',
    children: [
      { name: 'T-shirts', nouns: ['T-shirt', 'Tee', 'Long-sleeve Tee', 'Polo'], options: 'apparel', price: [1500, 4500], materials: ['Cotton', 'Organic Cotton', 'Linen', 'Merino'] },
      { name: 'Hoodies', nouns: ['Hoodie', 'Zip Hoodie', 'Sweatshirt'], options: 'apparel', price: [3900, 9900], materials: ['Cotton', 'Fleece', 'Recycled Polyester'] },
      { name: 'Trousers', nouns: ['Chinos', 'Jeans', 'Joggers', 'Cargo Trousers'], options: 'apparel', price: [3900, 12900], materials: ['Denim', 'Cotton Twill', 'Corduroy'] },
      {
        name: 'Shoes',
        children: [
          { name: 'Sneakers', nouns: ['Sneaker', 'Runner', 'Court Shoe'], options: 'shoes', price: [5900, 17900], materials: ['Leather', 'Canvas', 'Suede', 'Knit'] },
          { name: 'Boots', nouns: ['Chelsea Boot', 'Hiking Boot', 'Work Boot'], options: 'shoes', price: [8900, 24900], materials: ['Leather', 'Suede', 'Nubuck'] },
        ],
      },
    ],
  },
  {
    name: 'Home',
    children: [
      { name: 'Kitchen', nouns: ['Mug', 'Chef Knife', 'Cutting Board', 'Saucepan', 'Teapot'], options: 'colour', price: [900, 14900], materials: ['Stoneware', 'Steel', 'Oak', 'Cast Iron', 'Porcelain'] },
      { name: 'Bedding', nouns: ['Duvet Cover', 'Pillowcase Set', 'Fitted Sheet', 'Throw Blanket'], options: 'colour', price: [2500, 12900], materials: ['Linen', 'Percale Cotton', 'Sateen', 'Wool'] },
      { name: 'Lighting', nouns: ['Desk Lamp', 'Floor Lamp', 'Pendant Light', 'Table Lamp'], options: 'colour', price: [3900, 29900], materials: ['Brass', 'Ceramic', 'Rattan', 'Aluminium'] },
    ],
  },
  {
    name: 'Electronics',
    children: [
      { name: 'Audio', nouns: ['Headphones', 'Earbuds', 'Bluetooth Speaker', 'Soundbar'], options: 'colour', price: [2900, 39900], materials: ['Aluminium', 'Plastic', 'Fabric'] },
      { name: 'Phone Accessories', nouns: ['Phone Case', 'Charger', 'Power Bank', 'Cable'], options: 'capacity', price: [900, 7900], materials: ['Silicone', 'Plastic', 'Leather', 'Nylon'] },
      { name: 'Computer Accessories', nouns: ['Keyboard', 'Mouse', 'USB-C Hub', 'Monitor Stand'], options: 'none', price: [1900, 19900], materials: ['Aluminium', 'Plastic', 'Walnut'] },
    ],
  },
  {
    name: 'Outdoor',
    children: [
      { name: 'Camping', nouns: ['Tent', 'Sleeping Bag', 'Camping Stove', 'Headlamp'], options: 'none', price: [1900, 49900], materials: ['Ripstop Nylon', 'Down', 'Aluminium'] },
      { name: 'Cycling', nouns: ['Bike Light', 'Helmet', 'Saddle Bag', 'Bottle Cage'], options: 'colour', price: [1200, 14900], materials: ['Aluminium', 'Carbon', 'Polycarbonate'] },
    ],
  },
];
const SALE_CATEGORY = 'Sale';

const ADJECTIVES = ['Classic', 'Essential', 'Everyday', 'Heritage', 'Urban', 'Nordic', 'Alpine', 'Coastal', 'Studio', 'Minimal', 'Premium', 'Vintage', 'Modern', 'Compact', 'Trail'];
const BRANDS = ['Northwind', 'Fjord & Co', 'Atelier Nova', 'Kestrel', 'Lumen', 'Oakridge', 'Solstice', 'Tidewater', 'Vireo', 'Brightline', 'Cobalt', 'Marrow'];
const COLOURS = ['black', 'white', 'navy', 'grey', 'olive', 'sand', 'red', 'forest green', 'sky blue', 'terracotta'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];
const SHOE_SIZES = ['38', '39', '40', '41', '42', '43', '44', '45'];
const CAPACITIES = ['5000 mAh', '10000 mAh', '20000 mAh', '1 m', '2 m'];
const ORIGINS = ['Portugal', 'Italy', 'Germany', 'Denmark', 'Vietnam', 'Turkey', 'Poland', 'Japan'];
const CARE = ['Machine wash at 30 °C.', 'Wipe clean with a damp cloth.', 'Hand wash only.', 'Dishwasher safe.', 'Do not tumble dry.'];

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

interface PlannedCategory {
  name: string;
  slug: string;
  parentSlug: string | null;
  position: number;
  leaf?: Leaf;
}

/** The category tree, parents before children; slugs are `demo-` prefixed so they cannot clash with real ones. */
function plannedCategories(): PlannedCategory[] {
  const planned: PlannedCategory[] = [];
  const visit = (node: Root | Leaf | { name: string; children: Leaf[] }, parentSlug: string | null, position: number) => {
    const slug = `${parentSlug ?? 'demo'}-${slugify(node.name)}`;
    planned.push({ name: node.name, slug, parentSlug, position, leaf: 'nouns' in node ? node : undefined });
    if ('children' in node) node.children.forEach((child, index) => visit(child, slug, index));
  };
  TREE.forEach((root, index) => visit(root, null, index));
  planned.push({ name: SALE_CATEGORY, slug: `demo-${slugify(SALE_CATEGORY)}`, parentSlug: null, position: TREE.length });
  return planned;
}

type ProductInsert = Omit<Product, never>;
type VariantInsert = Omit<ProductVariant, 'product'>;
type LinkInsert = Omit<ProductCategory, 'product' | 'category'>;

/**
 * Writes a realistic demo catalog: a category tree (Apparel, Home, Electronics, Outdoor and their
 * children, plus Sale), products with brands, attributes and 1-4 variants (sizes, colours,
 * capacities as options; prices in EUR minor units, some with compare-at prices), mostly active
 * with some drafts. The content is a pure function of the PRNG seed and the number of products
 * already present, so reruns are reproducible; rows go in with multi-row INSERTs, a batch per
 * transaction, without reloading them.
 */
@Injectable()
export class CatalogSeeder {
  private readonly logger = new Logger(CatalogSeeder.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
  ) {}

  async productCount(): Promise<number> {
    return this.dataSource.createQueryBuilder(Product, 'p').getCount();
  }

  async seed(count: number, options: SeedOptions = {}): Promise<SeedResult> {
    const startedAt = performance.now();
    if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a whole number, 0 or more');
    const existing = await this.productCount();
    if (existing > 0 && !options.force) {
      return { skipped: true, products: 0, variants: 0, categoriesCreated: 0, durationMs: Math.round(performance.now() - startedAt) };
    }
    const { leaves, saleId, created } = await this.ensureCategories();
    // Serial numbers continue after the products already there, so forced reruns make new slugs and SKUs.
    const random = mulberry32((options.seed ?? 20_240_601) + existing);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

    let variantTotal = 0;
    for (let start = 0; start < count; start += PRODUCTS_PER_BATCH) {
      const products: ProductInsert[] = [];
      const variants: VariantInsert[] = [];
      const links: LinkInsert[] = [];
      const now = new Date();
      for (let i = start; i < Math.min(count, start + PRODUCTS_PER_BATCH); i++) {
        const serial = existing + i + 1;
        const { id: categoryId, leaf } = pick(leaves);
        const material = pick(leaf.materials);
        const noun = pick(leaf.nouns);
        const name = `${pick(ADJECTIVES)} ${material} ${noun}`;
        const brand = pick(BRANDS);
        const colour = pick(COLOURS);
        const origin = pick(ORIGINS);
        const id = uuidv7();
        const roll = random();
        const status = roll < 0.85 ? ProductStatus.Active : roll < 0.97 ? ProductStatus.Draft : ProductStatus.Archived;
        products.push({
          id,
          slug: `${slugify(name)}-${serial}`,
          name,
          description: `The ${name.toLowerCase()} by ${brand}: ${material.toLowerCase()}, made in ${origin}. ${pick(CARE)}`,
          status,
          brand,
          attributes: { material: material.toLowerCase(), colour, origin },
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
        const basePrice = Math.max(99, Math.round(between(leaf.price[0], leaf.price[1]) / 100) * 100 - 1);
        const onSale = random() < 0.2;
        const optionSets = this.variantOptions(leaf.options, between(1, 4), colour, random);
        optionSets.forEach((variantOptions, index) => {
          const priceAmount = basePrice + (leaf.options === 'capacity' ? index * 500 : 0);
          variants.push({
            id: uuidv7(),
            productId: id,
            sku: `DEMO-${serial.toString(36).toUpperCase().padStart(5, '0')}-${index + 1}`,
            options: variantOptions,
            priceAmount,
            currency: 'EUR',
            compareAtAmount: onSale ? Math.round((priceAmount * 1.25) / 100) * 100 - 1 : null,
            weightGrams: between(80, 3000),
            barcode: random() < 0.7 ? String(4_000_000_000_000 + serial * 10 + index) : null,
            version: 1,
            createdAt: now,
            updatedAt: now,
          });
        });
        links.push({ productId: id, categoryId });
        if (onSale) links.push({ productId: id, categoryId: saleId });
      }
      await this.tx.run(async (manager) => {
        await insertRows(manager, Product, products, 500);
        await insertRows(manager, ProductVariant, variants, 1000);
        await insertRows(manager, ProductCategory, links, 2000);
      });
      variantTotal += variants.length;
    }
    const result = { skipped: false, products: count, variants: variantTotal, categoriesCreated: created, durationMs: Math.round(performance.now() - startedAt) };
    this.logger.log({ event: 'catalog.seeded', ...result }, `seeded ${count} products with ${variantTotal} variants`);
    return result;
  }

  /** Distinct option sets for the variants of one product. */
  private variantOptions(kind: OptionKind, wanted: number, colour: string, random: () => number): Record<string, string>[] {
    const axis: Record<OptionKind, string[]> = { apparel: SIZES, shoes: SHOE_SIZES, colour: COLOURS, capacity: CAPACITIES, none: [] };
    const values = axis[kind];
    if (values.length === 0) return [{}];
    const first = Math.floor(random() * Math.max(1, values.length - wanted + 1));
    const chosen = values.slice(first, first + wanted);
    if (kind === 'apparel' || kind === 'shoes') return chosen.map((size) => ({ size, colour }));
    if (kind === 'capacity') return chosen.map((capacity) => ({ capacity }));
    return chosen.map((value) => ({ colour: value }));
  }

  /** Creates the demo category tree where missing and returns the leaf categories to file products under. */
  private async ensureCategories(): Promise<{ leaves: Array<{ id: string; leaf: Leaf }>; saleId: string; created: number }> {
    const planned = plannedCategories();
    return this.tx.run(async (manager) => {
      const found = await manager
        .createQueryBuilder(Category, 'c')
        .select(['c.id', 'c.slug', 'c.path'])
        .where({ slug: In(planned.map((category) => category.slug)) })
        .getMany();
      const bySlug = new Map(found.map((row) => [row.slug, { id: row.id, path: row.path }]));
      const rows: Category[] = [];
      const now = new Date();
      for (const category of planned) {
        if (bySlug.has(category.slug)) continue;
        const id = uuidv7();
        const parent = category.parentSlug ? bySlug.get(category.parentSlug) : undefined;
        const path = `${parent?.path ?? '/'}${id}/`;
        bySlug.set(category.slug, { id, path });
        rows.push({
          id,
          parentId: parent?.id ?? null,
          name: category.name,
          slug: category.slug,
          path,
          position: category.position,
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
      }
      await insertRows(manager, Category, rows, 500);
      const leaves = planned.filter((category) => category.leaf).map((category) => ({ id: bySlug.get(category.slug)!.id, leaf: category.leaf! }));
      return { leaves, saleId: bySlug.get(`demo-${slugify(SALE_CATEGORY)}`)!.id, created: rows.length };
    });
  }
}

/** Multi-row INSERTs of `size` rows at a time, without reading anything back. */
async function insertRows<T extends object>(manager: EntityManager, entity: new () => T, rows: T[], size: number): Promise<void> {
  for (let start = 0; start < rows.length; start += size) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values(rows.slice(start, start + size))
      .updateEntity(false)
      .execute();
  }
}

/** The quick start: a small demo catalog on first boot, while there are no products, unless SEED_DEMO_DATA=false. */
@Injectable()
export class DemoCatalogBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoCatalogBootstrap.name);

  constructor(
    private readonly seeder: CatalogSeeder,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.seedDemoData) return;
    try {
      const result = await this.seeder.seed(DEMO_PRODUCT_COUNT);
      if (!result.skipped) this.logger.log({ event: 'catalog.demo_seeded' }, `empty catalog: seeded ${result.products} demo products (SEED_DEMO_DATA=false turns this off)`);
    } catch (error) {
      // Another instance seeding at the same moment loses on the unique slugs; the app serves either way.
      this.logger.warn({ event: 'catalog.demo_seed_failed', err: error }, 'demo catalog seeding failed');
    }
  }
}
