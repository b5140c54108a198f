import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../auth/decorators';
import { Permission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { ApiProblemResponses } from '../common/problem/problem.openapi';
import { UnauthorizedError } from '../common/problem/app-error';
import { UserDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('Account')
@Controller({ path: 'me', version: '1' })
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({
    operationId: 'getMe',
    summary: 'The signed-in user\'s own account',
    description: 'Needs an access token issued to a user (not the metrics token).',
  })
  @RequirePermissions(Permission.AccountRead)
  @ApiOkResponse({ type: UserDto, description: 'The caller\'s account.' })
  @ApiProblemResponses(400, 429)
  async me(@CurrentPrincipal() principal: Principal): Promise<UserDto> {
    if (!principal.userId) throw new UnauthorizedError('Sign in as a user to read an account.');
    return (await this.users.get(principal.userId)).user;
  }
}
