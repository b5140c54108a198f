// The no-framework baseline for `npm run bench` (bench/run.mjs): node:http and a mysql2 pool of
// the same size as Emporium's, running by hand the statements Emporium's ProductsService issues
// (read from MariaDB's general log) and answering the same JSON. No validation, auth, logging,
// rate limits or metrics: it is the floor the framework's cost is measured against.
// POST /v1/checkout runs, statement for statement, what Emporium issues for a guest checkout
// (CheckoutService, IdempotencyInterceptor; see checkout() below).
// Usage: DATABASE_URL=mysql://... PORT=3299 [DATABASE_POOL_SIZE=10] node bench/baseline-server.mjs
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { createPool } from 'mysql2/promise';
import { v7 as uuidv7 } from 'uuid';

const pool = createPool({
  uri: process.env.DATABASE_URL,
  connectionLimit: Number(process.env.DATABASE_POOL_SIZE ?? 10),
  timezone: 'Z',
  charset: 'utf8mb4_unicode_ci',
  enableKeepAlive: true,
  // As Emporium's pool: no stack trace captured per query.
  trace: false,
});
// As Emporium's driver does on every new pooled connection (src/database/data-source-options.ts).
pool.pool.on('connection', (connection) => connection.query('SET SESSION innodb_lock_wait_timeout = ?', [10], () => undefined));

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

// ---- checkout ---------------------------------------------------------------------------------
// The statements Emporium issues for one guest checkout, in its order, read from MariaDB's general
// log: the idempotency claim (its own transaction), the checkout transaction (cart bump and read,
// lines with catalog prices, cart checked out, stock candidates, one conditional UPDATE per line in
// variant-id order, the movements, shipping and tax rates, order, order lines, timeline event), the
// low-stock check (not awaited, as in Emporium), and the idempotency answer recorded (its own
// transaction). Like Emporium, the answer is built from what was inserted (no read-back), and the
// order made with the key is looked up only when the cart turns out to be checked out already.
// Emporium's defaults: reservations 900 s, guest carts 30 days, keys 24 h, prices net of tax.
const RESERVATION_TTL_MS = 900 * 1000;
const GUEST_CART_TTL_MS = 30 * 86_400_000;
const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
const PRICES_INCLUDE_TAX = false;

const CLAIM_SQL =
  'INSERT INTO `idempotency_keys`(`id`, `scope`, `idem_key`, `request_hash`, `state`, `response_status`, `response_body`, `response_headers`, ' +
  '`locked_at`, `created_at`, `expires_at`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const ORDER_BY_KEY_SQL =
  'SELECT `o`.`id` AS `id`, `o`.`cart_id` AS `cartId` FROM `orders` `o` WHERE `o`.`checkout_scope` = ? AND `o`.`checkout_key` = ?';
const CART_BUMP_SQL =
  'UPDATE `carts` SET `version` = `version` + 1, `updated_at` = ?, `expires_at` = CASE WHEN `user_id` IS NULL THEN ? ELSE NULL END ' +
  'WHERE `id` = ? AND `status` = ? AND (`expires_at` IS NULL OR `expires_at` > ?)';
const CART_SQL =
  'SELECT `c`.`id` AS `c_id`, `c`.`user_id` AS `c_user_id`, `c`.`guest_token_hash` AS `c_guest_token_hash`, `c`.`status` AS `c_status`, ' +
  '`c`.`currency` AS `c_currency`, `c`.`expires_at` AS `c_expires_at`, `c`.`created_at` AS `c_created_at`, `c`.`updated_at` AS `c_updated_at` ' +
  'FROM `carts` `c` WHERE `c`.`id` = ?';
const CART_LINES_SQL =
  'SELECT `l`.`id` AS `id`, `l`.`variant_id` AS `variantId`, `l`.`quantity` AS `quantity`, `v`.`product_id` AS `productId`, `v`.`sku` AS `sku`, ' +
  '`v`.`options` AS `options`, `v`.`price_amount` AS `priceAmount`, `v`.`currency` AS `currency`, `p`.`name` AS `productName`, `p`.`status` AS `productStatus` ' +
  'FROM `cart_lines` `l` INNER JOIN `product_variants` `v` ON `v`.`id` = `l`.`variant_id` INNER JOIN `products` `p` ON `p`.`id` = `v`.`product_id` ' +
  'WHERE `l`.`cart_id` = ? ORDER BY `l`.`id` ASC';
const CART_CHECKED_OUT_SQL =
  'UPDATE `carts` SET `status` = ?, `open_user_id` = NULL, `version` = `version` + 1, `updated_at` = ? WHERE `id` = ? AND `status` = ?';
const STOCK_CANDIDATES_SQL =
  'SELECT `sl`.`variant_id` AS `variantId`, `sl`.`location_id` AS `locationId`, `sl`.`on_hand` - `sl`.`reserved` AS `available` ' +
  'FROM `stock_levels` `sl` INNER JOIN `stock_locations` `loc` ON `loc`.`id` = `sl`.`location_id` WHERE `sl`.`variant_id` IN (?) AND `loc`.`active` = ? ' +
  'ORDER BY `loc`.`priority` ASC, `loc`.`code` ASC';
// Emporium inlines the deltas as parameters: reserved + n >= 0 AND on_hand + 0 >= reserved + n.
const RESERVE_SQL =
  'UPDATE `stock_levels` SET `reserved` = `reserved` + ?, `updated_at` = ? WHERE `variant_id` = ? AND `location_id` = ? ' +
  'AND `reserved` + ? >= 0 AND `on_hand` + ? >= `reserved` + ?';
const MOVEMENTS_SQL =
  'INSERT INTO `stock_movements`(`id`, `variant_id`, `location_id`, `kind`, `on_hand_delta`, `reserved_delta`, `reason`, `actor_id`, `order_id`, `created_at`) VALUES ?';
const SHIPPING_SQL = 'SELECT `s`.`amount` AS `amount` FROM `shipping_rates` `s` WHERE `s`.`country` = ? AND `s`.`currency` = ?';
const TAX_SQL = 'SELECT `t`.`rate_bps` AS `rateBps` FROM `tax_rates` `t` WHERE `t`.`country` = ?';
const ORDER_INSERT_SQL =
  'INSERT INTO `orders`(`id`, `user_id`, `guest_token_hash`, `email`, `status`, `currency`, `subtotal_amount`, `shipping_amount`, `tax_amount`, ' +
  '`total_amount`, `tax_rate_bps`, `prices_include_tax`, `paid_amount`, `refunded_amount`, `shipping_address`, `checkout_scope`, `checkout_key`, ' +
  '`cart_id`, `reservation_expires_at`, `cancel_reason`, `version`, `created_at`, `updated_at`) VALUES (?)';
const ORDER_LINES_INSERT_SQL =
  'INSERT INTO `order_lines`(`id`, `order_id`, `variant_id`, `product_id`, `sku`, `product_name`, `options`, `unit_price_amount`, `quantity`, ' +
  '`line_total_amount`, `location_id`, `position`) VALUES ?';
const ORDER_EVENT_SQL =
  'INSERT INTO `order_events`(`id`, `order_id`, `type`, `from_status`, `to_status`, `actor_id`, `actor_kind`, `note`, `amount`, `created_at`) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const LOW_STOCK_SQL =
  'SELECT `v`.`sku` AS `sku`, `i`.`variant_id` AS `variantId`, `i`.`low_stock_threshold` AS `threshold`, ' +
  'COALESCE(SUM(CASE WHEN `loc`.`active` = ? THEN `sl`.`on_hand` - `sl`.`reserved` ELSE 0 END), 0) AS `available` ' +
  'FROM `inventory_items` `i` INNER JOIN `product_variants` `v` ON `v`.`id` = `i`.`variant_id` LEFT JOIN `stock_levels` `sl` ON `sl`.`variant_id` = `i`.`variant_id` ' +
  'LEFT JOIN `stock_locations` `loc` ON `loc`.`id` = `sl`.`location_id` WHERE `i`.`variant_id` IN (?) AND `i`.`low_stock_threshold` IS NOT NULL ' +
  'GROUP BY `i`.`variant_id`, `v`.`sku`, `i`.`low_stock_threshold`';
const COMPLETE_SQL =
  'UPDATE `idempotency_keys` SET `state` = ?, `response_status` = ?, `response_body` = ?, `response_headers` = ? WHERE `id` = ? AND `state` = ? AND `locked_at` = ?';
const RELEASE_SQL = 'DELETE FROM `idempotency_keys` WHERE `id` = ? AND `state` = ? AND `locked_at` = ?';

const sha256Hex = (text) => createHash('sha256').update(text).digest('hex');

/** Emporium's request fingerprint: JSON with keys sorted at every depth. */
function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const divideRoundHalfUp = (numerator, denominator) => (2n * numerator + denominator) / (2n * denominator);

class HttpError extends Error {
  constructor(status, title, detail, checkedOut = false) {
    super(detail);
    this.status = status;
    this.title = title;
    /** The cart is no longer open: Emporium then looks for an order made with the key. */
    this.checkedOut = checkedOut;
  }
}

/** BEGIN ... COMMIT on one pooled connection, ROLLBACK on any error. */
async function transaction(work) {
  const connection = await pool.getConnection();
  try {
    await connection.query('START TRANSACTION');
    const result = await work(connection);
    await connection.query('COMMIT');
    return result;
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    connection.release();
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function checkout(req, res) {
  const body = JSON.parse(await readBody(req));
  const key = req.headers['idempotency-key'];
  const cartToken = req.headers['x-cart-token'];
  if (typeof key !== 'string' || typeof cartToken !== 'string' || typeof body?.cartId !== 'string' || typeof body.email !== 'string') {
    return send(res, 400, { status: 400, title: 'Bad Request' });
  }
  const scope = `cart:${sha256Hex(cartToken)}`;
  const requestHash = sha256Hex(`POST\n/v1/checkout\n${canonicalJson(body)}`);

  // The claim (IdempotencyService.claim). A duplicate key is not part of the benchmark: 409.
  const claimedAt = new Date();
  const claimId = uuidv7();
  await transaction((c) =>
    c.query(CLAIM_SQL, [claimId, scope, key, requestHash, 'in_progress', null, null, null, claimedAt, claimedAt, new Date(claimedAt.getTime() + IDEMPOTENCY_TTL_MS)]),
  );
  try {
    const orderId = uuidv7();
    const now = new Date();
    const reservationExpiresAt = new Date(now.getTime() + RESERVATION_TTL_MS);
    const done = await transaction(async (c) => {
      const bumpedAt = new Date();
      const [bump] = await c.query(CART_BUMP_SQL, [bumpedAt, new Date(bumpedAt.getTime() + GUEST_CART_TTL_MS), body.cartId, 'open', bumpedAt]);
      const [[cart]] = await c.query(CART_SQL, [body.cartId]);
      const presented = Buffer.from(sha256Hex(cartToken), 'hex');
      const stored = Buffer.from(cart?.c_guest_token_hash ?? '', 'hex');
      if (!cart || cart.c_user_id || presented.length !== stored.length || !timingSafeEqual(presented, stored) || cart.c_expires_at.getTime() <= Date.now()) {
        throw new HttpError(404, 'Not Found', 'no such cart');
      }
      if (!bump.affectedRows || cart.c_status !== 'open') throw new HttpError(409, 'Conflict', 'the cart was checked out', true);
      const [rows] = await c.query(CART_LINES_SQL, [cart.c_id]);
      const lines = rows.map((row) => ({
        variantId: row.variantId,
        productId: row.productId,
        sku: row.sku,
        productName: row.productName,
        options: JSON.parse(row.options),
        quantity: Number(row.quantity),
        unitPriceAmount: Number(row.priceAmount),
        available: row.productStatus === 'active' && row.currency === cart.c_currency,
      }));
      if (lines.length === 0 || !cart.c_currency || lines.some((line) => !line.available)) throw new HttpError(422, 'Unprocessable Entity', 'cart cannot be bought');
      const [checkedOut] = await c.query(CART_CHECKED_OUT_SQL, ['checked_out', new Date(), cart.c_id, 'open']);
      if (!checkedOut.affectedRows) throw new HttpError(409, 'Conflict', 'the cart was checked out', true);

      // InventoryService.reserve: candidates, then one conditional UPDATE per line in variant-id order.
      const variantIds = [...new Set(lines.map((line) => line.variantId))];
      const [candidates] = await c.query(STOCK_CANDIDATES_SQL, [variantIds, true]);
      const order = lines.map((_, index) => index).sort((a, b) => (lines[a].variantId < lines[b].variantId ? -1 : lines[a].variantId > lines[b].variantId ? 1 : a - b));
      const allocations = new Array(lines.length);
      for (const index of order) {
        const line = lines[index];
        const options = candidates.filter((row) => row.variantId === line.variantId && Number(row.available) >= line.quantity);
        let chosen;
        for (const option of options) {
          const [result] = await c.query(RESERVE_SQL, [line.quantity, new Date(), line.variantId, option.locationId, line.quantity, 0, line.quantity]);
          if (result.affectedRows > 0) {
            chosen = option;
            break;
          }
        }
        if (!chosen) throw new HttpError(409, 'Conflict', `out of stock: ${line.sku}`);
        allocations[index] = { variantId: line.variantId, locationId: chosen.locationId, quantity: line.quantity };
      }
      const movedAt = new Date();
      await c.query(MOVEMENTS_SQL, [
        allocations.map((a) => [uuidv7(), a.variantId, a.locationId, 'reserved', 0, a.quantity, 'checkout', null, orderId, movedAt]),
      ]);

      // PricingService.quote.
      const country = body.shippingAddress?.country;
      const [[shipping]] = await c.query(SHIPPING_SQL, [country, cart.c_currency]);
      if (!shipping) throw new HttpError(422, 'Unprocessable Entity', 'no shipping rate');
      const [[tax]] = await c.query(TAX_SQL, [country]);
      if (!tax) throw new HttpError(422, 'Unprocessable Entity', 'no tax rate');
      const subtotalAmount = lines.reduce((sum, line) => sum + line.unitPriceAmount * line.quantity, 0);
      const shippingAmount = Number(shipping.amount);
      const taxRateBps = Number(tax.rateBps);
      const taxable = BigInt(subtotalAmount + shippingAmount);
      let taxAmount;
      let totalAmount;
      if (PRICES_INCLUDE_TAX) {
        totalAmount = taxable;
        taxAmount = taxable - divideRoundHalfUp(taxable * 10_000n, 10_000n + BigInt(taxRateBps));
      } else {
        taxAmount = divideRoundHalfUp(taxable * BigInt(taxRateBps), 10_000n);
        totalAmount = taxable + taxAmount;
      }
      const quote = { subtotalAmount, shippingAmount, taxAmount: Number(taxAmount), totalAmount: Number(totalAmount), taxRateBps };

      await c.query(ORDER_INSERT_SQL, [
        [
          orderId, null, cart.c_guest_token_hash, body.email, 'pending_payment', cart.c_currency, quote.subtotalAmount, quote.shippingAmount,
          quote.taxAmount, quote.totalAmount, quote.taxRateBps, PRICES_INCLUDE_TAX, 0, 0, JSON.stringify({ ...body.shippingAddress }), scope, key,
          cart.c_id, reservationExpiresAt, null, 1, now, now,
        ],
      ]);
      await c.query(ORDER_LINES_INSERT_SQL, [
        lines.map((line, position) => [
          uuidv7(), orderId, line.variantId, line.productId, line.sku, line.productName, JSON.stringify(line.options), line.unitPriceAmount,
          line.quantity, line.unitPriceAmount * line.quantity, allocations[position].locationId, position,
        ]),
      ]);
      await c.query(ORDER_EVENT_SQL, [uuidv7(), orderId, 'created', null, 'pending_payment', null, 'customer', null, quote.totalAmount, new Date()]);
      return { lines, allocations, cart, quote };
    }).catch(async (error) => {
      // Emporium's CheckoutService: only a failure pays for the lookup of an order made with the key.
      if (error instanceof HttpError && error.checkedOut) {
        const [existing] = await pool.query(ORDER_BY_KEY_SQL, [scope, key]);
        if (existing.length > 0) throw new HttpError(409, 'Conflict', 'this key already made an order');
      }
      throw error;
    });
    const { lines, cart, quote } = done;

    // After commit, not awaited (InventoryService.notifyIfLow): the low-stock check.
    pool.query(LOW_STOCK_SQL, [true, [...new Set(lines.map((line) => line.variantId))]]).catch(() => undefined);

    // The answer, from what was inserted (Emporium's OrdersService.dtoOf).
    const dto = {
      id: orderId,
      status: 'pending_payment',
      email: body.email,
      currency: cart.c_currency,
      subtotalAmount: quote.subtotalAmount,
      shippingAmount: quote.shippingAmount,
      taxAmount: quote.taxAmount,
      totalAmount: quote.totalAmount,
      taxRateBps: quote.taxRateBps,
      pricesIncludeTax: PRICES_INCLUDE_TAX,
      paidAmount: 0,
      refundedAmount: 0,
      lines: lines.map((line) => ({
        variantId: line.variantId,
        productId: line.productId,
        sku: line.sku,
        productName: line.productName,
        options: line.options,
        unitPriceAmount: line.unitPriceAmount,
        quantity: line.quantity,
        lineTotalAmount: line.unitPriceAmount * line.quantity,
      })),
      shippingAddress: { ...body.shippingAddress },
      reservationExpiresAt: reservationExpiresAt.toISOString(),
      cancelReason: null,
      // The guest holding the cart token is the order's owner.
      actions: [
        { action: 'pay', method: 'POST', href: `/v1/orders/${orderId}/payments` },
        { action: 'cancel', method: 'POST', href: `/v1/orders/${orderId}/cancel` },
      ],
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const headers = { location: `/v1/orders/${orderId}` };
    // IdempotencyInterceptor.settle: the answer recorded for replays.
    await transaction((c) =>
      c.query(COMPLETE_SQL, ['completed', 201, JSON.stringify(dto), JSON.stringify(headers), claimId, 'in_progress', claimedAt]),
    );
    send(res, 201, dto, headers);
  } catch (error) {
    // Emporium records 4xx answers other than 409 for replay; the benchmark only ever expects 201s, so any failure just gives the key back.
    await transaction((c) => c.query(RELEASE_SQL, [claimId, 'in_progress', claimedAt])).catch(() => undefined);
    if (error instanceof HttpError) return send(res, error.status, { status: error.status, title: error.title, detail: error.message });
    throw error;
  }
}

let inFlight = 0;
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const handle = url.pathname === '/v1/checkout' && req.method === 'POST'
    ? checkout(req, res)
    : url.pathname === '/v1/products'
    ? listProducts(res, url.searchParams)
    : url.pathname.startsWith('/v1/products/')
      ? getProduct(res, url.pathname.slice('/v1/products/'.length))
      : url.pathname === '/health/live'
        ? Promise.resolve(send(res, 200, { status: 'ok' }))
        : Promise.resolve(send(res, 404, { status: 404, title: 'Not Found' }));
  inFlight++;
  handle
    .catch((error) => {
      console.error(error);
      if (!res.headersSent) send(res, 500, { status: 500, title: 'Internal Server Error' });
    })
    .finally(() => inFlight--);
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT ?? 3299), process.env.HOST ?? '127.0.0.1');
// On SIGTERM: stop listening, let handlers still running (a load generator may have given up on
// them) finish for up to 10 s, then close the pool.
const stop = () => {
  server.close();
  server.closeIdleConnections();
  const startedAt = Date.now();
  const drain = () => {
    if (inFlight > 0 && Date.now() - startedAt < 10_000) return setTimeout(drain, 20);
    pool.end().then(() => process.exit(0), () => process.exit(0));
  };
  drain();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
