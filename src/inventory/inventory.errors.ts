import { ConflictError, RuleViolationError } from '../common/problem/app-error';

/**
 * 409: some lines cannot be reserved. `skus` (also a member of the problem document) names every
 * short SKU, not just the first; nothing was reserved once the caller's transaction rolls back.
 */
export class OutOfStockError extends ConflictError {
  readonly skus: string[];

  constructor(skus: string[]) {
    const sorted = [...new Set(skus)].sort();
    super(`Not enough stock for ${sorted.join(', ')}.`, { skus: sorted });
    this.skus = sorted;
  }
}

/** 422: an adjustment would take on-hand stock below zero or below what is reserved. */
export class InsufficientStockError extends RuleViolationError {
  readonly skus: string[];

  constructor(sku: string, detail: string) {
    super(detail, { skus: [sku] });
    this.skus = [sku];
  }
}
