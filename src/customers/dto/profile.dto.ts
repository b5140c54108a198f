import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches } from 'class-validator';
import { MaxCodePoints } from '../../common/validation/max-code-points';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

@ApiSchema({ description: 'The customer\'s profile, replaced as a whole.' })
export class PutProfileDto {
  @ApiProperty({ description: 'Given name.', minLength: 1, maxLength: 100, example: 'Ada' })
  @Transform(trim)
  @IsString()
  @Matches(/\S/, { message: 'firstName must not be blank' })
  @MaxCodePoints(100)
  firstName: string;

  @ApiProperty({ description: 'Family name.', minLength: 1, maxLength: 100, example: 'Lovelace' })
  @Transform(trim)
  @IsString()
  @Matches(/\S/, { message: 'lastName must not be blank' })
  @MaxCodePoints(100)
  lastName: string;

  @ApiPropertyOptional({ description: 'Phone number; omitted or null means none.', type: String, nullable: true, maxLength: 40, example: '+44 20 7946 0000' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() || null : value))
  @IsOptional()
  @IsString()
  @MaxCodePoints(40)
  phone?: string | null;
}

@ApiSchema({ description: 'The customer\'s profile.' })
export class ProfileDto {
  @ApiProperty({ description: 'Given name.', minLength: 1, maxLength: 100, example: 'Ada' })
  firstName: string;

  @ApiProperty({ description: 'Family name.', minLength: 1, maxLength: 100, example: 'Lovelace' })
  lastName: string;

  @ApiProperty({ description: 'Phone number.', type: String, nullable: true, maxLength: 40, example: '+44 20 7946 0000' })
  phone: string | null;

  @ApiProperty({ description: 'When the profile was first saved (UTC).', format: 'date-time', maxLength: 30, example: '2026-11-28T12:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ description: 'When the profile last changed (UTC).', format: 'date-time', maxLength: 30, example: '2026-11-28T12:00:00.000Z' })
  updatedAt: string;
}
