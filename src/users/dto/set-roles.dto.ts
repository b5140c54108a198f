import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsEnum } from 'class-validator';
import { Role } from '../../auth/permissions';

export class SetRolesDto {
  /** The complete new set of roles; it replaces the current one. */
  @ApiProperty({ enum: Role, enumName: 'Role', isArray: true, minItems: 1, maxItems: 4, example: [Role.Customer, Role.Support] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(Object.values(Role).length)
  @ArrayUnique()
  @IsEnum(Role, { each: true })
  roles: Role[];
}
