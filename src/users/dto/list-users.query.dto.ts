import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional } from 'class-validator';
import { Role } from '../../auth/permissions';
import { PageQueryDto } from '../../common/pagination/pagination';

export class ListUsersQueryDto extends PageQueryDto {
  /** Only users holding this role. */
  @ApiPropertyOptional({ enum: Role, enumName: 'Role', example: Role.Admin })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;
}
