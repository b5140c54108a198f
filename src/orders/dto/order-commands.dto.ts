import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsOptional, IsString, MinLength } from 'class-validator';
import { MaxCodePoints } from '../../common/validation/max-code-points';

@ApiSchema({ description: 'Cancels an order.' })
export class CancelOrderDto {
  /** Why, for the timeline. */
  @ApiPropertyOptional({ description: 'Why, for the timeline.', minLength: 1, maxLength: 200, example: 'Ordered by mistake' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxCodePoints(200)
  reason?: string;
}
