import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ApiProblemResponse } from '../../common/problem/problem.openapi';
import { ProblemDto } from '../../common/problem/problem.openapi';
import { SKU_EXAMPLE } from './inventory.dto';

/** A problem about stock: the SKUs it concerns. */
@ApiSchema({ description: 'A problem document that may name the SKUs without enough stock (`skus`), as for an out-of-stock checkout.' })
export class StockProblemDto extends ProblemDto {
  /** Every SKU that is short, sorted; present on stock problems only. */
  @ApiPropertyOptional({
    description: 'Every SKU that is short, sorted; present on stock problems only.',
    type: 'string',
    isArray: true,
    minLength: 1,
    maxLength: 64,
    maxItems: 1000,
    example: [SKU_EXAMPLE],
  })
  skus?: string[];
}

/**
 * Documents a problem answer that may carry `skus`: 409 for an out-of-stock reservation (checkout),
 * 422 for an adjustment below zero or below the reserved units.
 */
export const ApiStockProblemResponse = (status: 409 | 422, description: string) =>
  ApiProblemResponse(status, StockProblemDto, description, { skus: [SKU_EXAMPLE] });
