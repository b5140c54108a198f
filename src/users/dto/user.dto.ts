import { ApiProperty } from '@nestjs/swagger';
import { Role } from '../../auth/permissions';

/** A user account as the API shows it. Never includes credentials. */
export class UserDto {
  /** Public id (UUIDv7: sorts by creation time). */
  @ApiProperty({ format: 'uuid', example: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' })
  id: string;

  /** Email address as the user registered it. */
  @ApiProperty({ format: 'email', maxLength: 254, example: 'ada@example.com' })
  email: string;

  /** Display name. */
  @ApiProperty({ type: String, nullable: true, maxLength: 100, example: 'Ada Lovelace' })
  name: string | null;

  /** Roles held; they decide the permissions. */
  @ApiProperty({ enum: Role, enumName: 'Role', isArray: true, example: [Role.Customer] })
  roles: Role[];

  /** When the account was created (UTC). */
  @ApiProperty({ format: 'date-time', example: '2026-11-27T12:00:00.000Z' })
  createdAt: string;

  /** When the account last changed (UTC). */
  @ApiProperty({ format: 'date-time', example: '2026-11-27T12:00:00.000Z' })
  updatedAt: string;
}
