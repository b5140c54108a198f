import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsEnum } from 'class-validator';
import { Role } from '../../auth/permissions';

@ApiSchema({ description: 'The complete new set of roles of a user.' })
export class SetRolesDto {
  /** The complete new set of roles; it replaces the current one. */
  @ApiProperty({ enum: Role, enumName: 'Role', isArray: true, minItems: 1, maxItems: Object.values(Role).length, uniqueItems: true, example: [Role.Customer, Role.Support] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(Object.values(Role).length)
  @ArrayUnique()
  @IsEnum(Role, { each: true })
  roles: Role[];
}
