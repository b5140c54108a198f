// The no-framework baseline for `npm run bench` (bench/run.mjs): node:http and a mysql2 pool of
// the same size as Emporium's, running by hand the statements Emporium's ProductsService issues
// (read from MariaDB's general log) and answering the same JSON. No validation, auth, logging,
// rate limits or metrics: it is the floor the framework's cost is measured against.
// Usage: DATABASE_URL=mysql://... PORT=3299 [DATABASE_POOL_SIZE=10] node bench/baseline-server.mjs
import { createServer } from 'node:http';
import { createPool } from 'mysql2/promise';

const pool = createPool({
  uri: process.env.DATABASE_URL,
  connectionLimit: Number(process.env.DATABASE_POOL_SIZE ?? 10),
  timezone: 'Z',
  charset: 'utf8mb4_unicode_ci',
  enableKeepAlive: true,
});

const PRODUCT_SQL =
  'SELECT `p`.`id` AS `p_id`, `p`.`slug` AS `p_slug`, `p`.`name` AS `p_name`, `p`.`description` AS `p_description`, ' +
  '`p`.`status` AS `p_status`, `p`.`brand` AS `p_brand`, `p`.`attributes` AS `p_attributes`, `p`.`version` AS `p_version`, ' +
  '`p`.`created_at` AS `p_created_at`, `p`.`updated_at` AS `p_updated_at` FROM `products` `p`';
const VARIANTS_SQL =
  'SELECT `v`.`id` AS `v_id`, `v`.`product_id` AS `v_product_id`, `v`.`sku` AS `v_sku`, `v`.`options` AS `v_options`, ' +
  '`v`.`price_amount` AS `v_price_amount`, `v`.`currency` AS `v_currency`, `v`.`compare_at_amount` AS `v_compare_at_amount`, ' +
  '`v`.`weight_grams` AS `v_weight_grams`, `v`.`barcode` AS `v_barcode`, `v`.`created_at` AS `v_created_at`, `v`.`updated_at` AS `v_updated_at` ' +
  'FROM `product_variants` `v` WHERE `v`.`product_id` IN (?) ORDER BY `v_id` ASC';
const LINKS_SQL =
  'SELECT `pc`.`product_id` AS `pc_product_id`, `pc`.`category_id` AS `pc_category_id` FROM `product_categories` `pc` ' +
  'WHERE `pc`.`product_id` IN (?) ORDER BY `pc_category_id` ASC';
// A product with its variants and category ids in one round trip, as Emporium's ProductsService.get() reads it.
const READ_COLUMNS = [
  ['p', 'id'], ['p', 'slug'], ['p', 'name'], ['p', 'description'], ['p', 'status'], ['p', 'brand'], ['p', 'attributes'], ['p', 'version'],
  ['p', 'created_at'], ['p', 'updated_at'], ['v', 'id'], ['v', 'product_id'], ['v', 'sku'], ['v', 'options'], ['v', 'price_amount'],
  ['v', 'currency'], ['v', 'compare_at_amount'], ['v', 'weight_grams'], ['v', 'barcode'], ['v', 'created_at'], ['v', 'updated_at'],
];
const PRODUCT_READ_SQL =
  `SELECT ${READ_COLUMNS.map(([table, column]) => `\`${table}\`.\`${column}\` AS \`${table}_${column}\``).join(', ')}, NULL AS \`pc_category_id\` ` +
  'FROM `products` `p` LEFT JOIN `product_variants` `v` ON `v`.`product_id` = `p`.`id` WHERE `p`.`id` = ? ' +
  `UNION ALL SELECT ${READ_COLUMNS.map(([table, column]) => `NULL AS \`${table}_${column}\``).join(', ')}, \`pc\`.\`category_id\` ` +
  'FROM `product_categories` `pc` INNER JOIN `products` `p` ON `p`.`id` = `pc`.`product_id` WHERE `p`.`id` = ?';
const CATEGORY_PATH_SQL = 'SELECT `c`.`path` AS `c_path`, `c`.`id` AS `c_id` FROM `categories` `c` WHERE `c`.`id` = ?';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const iso = (date) => date.toISOString();

async function assemble(rows) {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.p_id);
  // One after the other, as Emporium does.
  const [variants] = await pool.query(VARIANTS_SQL, [ids]);
  const [links] = await pool.query(LINKS_SQL, [ids]);
  return toProducts(rows, variants, links);
}

function toProducts(rows, variants, links) {
  return rows.map((row) => ({
    id: row.p_id,
    slug: row.p_slug,
    name: row.p_name,
    description: row.p_description,
    status: row.p_status,
    brand: row.p_brand,
    attributes: JSON.parse(row.p_attributes),
    categoryIds: links.filter((link) => link.pc_product_id === row.p_id).map((link) => link.pc_category_id),
    variants: variants
      .filter((variant) => variant.v_product_id === row.p_id)
      .map((v) => ({
        id: v.v_id,
        sku: v.v_sku,
        options: JSON.parse(v.v_options),
        priceAmount: v.v_price_amount,
        currency: v.v_currency,
        compareAtAmount: v.v_compare_at_amount,
        weightGrams: v.v_weight_grams,
        barcode: v.v_barcode,
        createdAt: iso(v.v_created_at),
        updatedAt: iso(v.v_updated_at),
      })),
    createdAt: iso(row.p_created_at),
    updatedAt: iso(row.p_updated_at),
  }));
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function getProduct(res, id) {
  const [rows] = UUID.test(id) ? await pool.query(PRODUCT_READ_SQL, [id, id]) : [[]];
  const head = rows.find((row) => row.p_id !== null);
  if (!head || head.p_status !== 'active') return send(res, 404, { status: 404, title: 'Not Found' });
  const variants = rows.filter((row) => row.pc_category_id === null && row.v_id !== null).sort((a, b) => (a.v_id < b.v_id ? -1 : 1));
  const links = rows.filter((row) => row.pc_category_id !== null).map((row) => ({ pc_product_id: head.p_id, pc_category_id: row.pc_category_id }));
  links.sort((a, b) => (a.pc_category_id < b.pc_category_id ? -1 : 1));
  const [product] = toProducts([head], variants, links);
  send(res, 200, product, { etag: `"${head.p_version}"`, vary: 'Authorization' });
}

/** The scenarios' lists: categoryId (descendants included), minPrice, q, sort (newest, name, relevance), limit; no cursor. */
async function listProducts(res, params) {
  const limit = Number(params.get('limit') ?? 20);
  const where = ['`p`.`status` = ?'];
  const values = ['active'];
  const categoryId = params.get('categoryId');
  if (categoryId) {
    const [[category]] = await pool.query(CATEGORY_PATH_SQL, [categoryId]);
    if (!category) return send(res, 404, { status: 404, title: 'Not Found' });
    where.push(
      '`p`.`id` IN (SELECT `pc`.`product_id` AS `pc_product_id` FROM `product_categories` `pc` INNER JOIN `categories` `c` ' +
        'ON `c`.`id` = `pc`.`category_id` WHERE `c`.`path` LIKE ?)',
    );
    values.push(`${category.c_path}%`);
  }
  if (params.has('minPrice')) {
    where.push('`p`.`id` IN (SELECT `v`.`product_id` AS `v_product_id` FROM `product_variants` `v` WHERE `v`.`price_amount` >= ?)');
    values.push(Number(params.get('minPrice')));
  }
  // Word search as Emporium does it on MySQL/MariaDB: the words ORed through the FULLTEXT index, best match first.
  const q = params.get('q');
  const words = q === null ? [] : [...new Set(q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, 32);
  const sort = params.get('sort') ?? (q === null ? 'newest' : 'relevance');
  let select = PRODUCT_SQL;
  let order = 'ORDER BY `p_id` DESC';
  const orderValues = [];
  if (words.length) {
    const match = 'MATCH(`p`.`name`, `p`.`description`) AGAINST (? IN NATURAL LANGUAGE MODE)';
    where.push(match);
    values.push(words.join(' '));
    if (sort === 'relevance') {
      select = PRODUCT_SQL.replace(' FROM `products` `p`', `, FLOOR(${match} * 1000000) AS \`sort_key\` FROM \`products\` \`p\``);
      values.unshift(words.join(' '));
      order = `ORDER BY FLOOR(${match} * 1000000) DESC, \`p\`.\`id\` ASC`;
      orderValues.push(words.join(' '));
    }
  }
  if (sort === 'name') order = 'ORDER BY `p`.`name` ASC, `p`.`id` ASC';
  const [rows] = await pool.query(`${select} WHERE ${where.join(' AND ')} ${order} LIMIT ?`, [...values, ...orderValues, limit + 1]);
  const page = rows.slice(0, limit);
  const more = rows.length > limit;
  let nextCursor = null;
  if (more) {
    const last = page.at(-1);
    const key = { sort, id: last.p_id };
    if (sort === 'name') key.k = last.p_name;
    if (sort === 'relevance') key.k = Number(last.sort_key);
    nextCursor = Buffer.from(JSON.stringify(key)).toString('base64url');
  }
  const headers = { vary: 'Authorization' };
  if (more) headers.link = `</v1/products?${params}>; rel="next"`;
  send(res, 200, { data: await assemble(page), nextCursor }, headers);
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const handle = url.pathname === '/v1/products'
    ? listProducts(res, url.searchParams)
    : url.pathname.startsWith('/v1/products/')
      ? getProduct(res, url.pathname.slice('/v1/products/'.length))
      : url.pathname === '/health/live'
        ? Promise.resolve(send(res, 200, { status: 'ok' }))
        : Promise.resolve(send(res, 404, { status: 404, title: 'Not Found' }));
  handle.catch((error) => {
    console.error(error);
    if (!res.headersSent) send(res, 500, { status: 500, title: 'Internal Server Error' });
  });
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT ?? 3299), process.env.HOST ?? '127.0.0.1');
const stop = () => server.close(() => pool.end().then(() => process.exit(0)));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
