import type { ProblemDto } from './generated/types.gen.js';
import { zProblemDto } from './generated/zod.gen.js';

/** An RFC 9457 problem+json body, as every Emporium error answers. */
export type Problem = ProblemDto;

/** True when `value` is a problem+json body of the shape the API documents. */
export function isProblem(value: unknown): value is Problem {
  return zProblemDto.safeParse(value).success;
}

/**
 * Thrown by helpers of this package (and by SDK calls made with `throwOnError: true` through
 * them) when the API answers with a problem: carries the parsed body and the HTTP response.
 */
export class ProblemError extends Error {
  readonly status: number;
  readonly requestId: string;

  constructor(
    readonly problem: Problem,
    readonly response?: Response,
  ) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = 'ProblemError';
    this.status = problem.status;
    this.requestId = problem.requestId;
  }
}
