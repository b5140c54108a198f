import { ApiProperty } from '@nestjs/swagger';

/** Outcome of the checks, as Terminus reports it. */
export class HealthDto {
  /** `ok` when every check passed. */
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status: 'ok';

  /** Per check: `{ status: "up", ... }`. */
  @ApiProperty({ type: 'object', additionalProperties: true, example: { database: { status: 'up' } } })
  info: Record<string, unknown>;

  /** Failed checks; empty when healthy. */
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} })
  error: Record<string, unknown>;

  /** Every check with its outcome. */
  @ApiProperty({ type: 'object', additionalProperties: true, example: { database: { status: 'up' } } })
  details: Record<string, unknown>;
}
