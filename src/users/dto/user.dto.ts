import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Role } from '../../auth/permissions';

/** A user account as the API shows it. Never includes credentials. */
@ApiSchema({ description: 'A user account as the API shows it. Never includes credentials.' })
export class UserDto {
  /** Public id (UUIDv7: sorts by creation time). */
  @ApiProperty({ format: 'uuid', minLength: 36, maxLength: 36, example: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' })
  id: string;

  /** Email address as the user registered it. */
  // idn-email (RFC 6531), not email: addresses such as josé@example.com are accepted.
  @ApiProperty({ format: 'idn-email', minLength: 3, maxLength: 254, example: 'ada@example.com' })
  email: string;

  /** Display name. */
  @ApiProperty({ type: String, nullable: true, minLength: 1, maxLength: 100, example: 'Ada Lovelace' })
  name: string | null;

  /** Roles held; they decide the permissions. */
  @ApiProperty({ enum: Role, enumName: 'Role', isArray: true, maxItems: Object.values(Role).length, uniqueItems: true, example: [Role.Customer] })
  roles: Role[];

  /** When the account was created (UTC). */
  @ApiProperty({ format: 'date-time', maxLength: 30, example: '2026-11-27T12:00:00.000Z' })
  createdAt: string;

  /** When the account last changed (UTC). */
  @ApiProperty({ format: 'date-time', maxLength: 30, example: '2026-11-27T12:00:00.000Z' })
  updatedAt: string;
}
