import { ApiProblemResponse } from '../../common/problem/problem.openapi';
import { SKU_EXAMPLE } from './inventory.dto';

/**
 * Documents a problem answer that names the SKUs it concerns (`skus`): 409 for an out-of-stock
 * reservation (checkout), 422 for an adjustment below zero or below the reserved units.
 */
export const ApiStockProblemResponse = (status: 409 | 422, description: string) => ApiProblemResponse(status, description, { skus: [SKU_EXAMPLE] });
