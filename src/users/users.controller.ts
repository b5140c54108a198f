import { Body, Controller, Get, Headers, Param, Patch, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiNotModifiedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermissions } from '../auth/decorators';
import { Permission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { etagOf, matchesIfNoneMatch, versionFromIfMatch } from '../common/http/etag';
import { Page, Paginated } from '../common/pagination/pagination';
import { ApiProblemResponses } from '../common/problem/problem.openapi';
import { ListUsersQueryDto } from './dto/list-users.query.dto';
import { SetRolesDto } from './dto/set-roles.dto';
import { UserDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('Users')
@Controller({ path: 'users', version: '1' })
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ operationId: 'listUsers', summary: 'List user accounts', description: 'Sorted by creation; filter by role.' })
  @RequirePermissions(Permission.UsersRead)
  @Paginated(UserDto)
  @ApiProblemResponses(400, 429)
  list(@Query() query: ListUsersQueryDto): Promise<Page<UserDto>> {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getUser', summary: 'Get one user account' })
  @RequirePermissions(Permission.UsersRead)
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'An ETag from an earlier read; 304 when unchanged.' })
  @ApiOkResponse({ type: UserDto, headers: { ETag: { description: 'Version of the account.', schema: { type: 'string' } } } })
  @ApiNotModifiedResponse({ description: 'Unchanged since the ETag in If-None-Match.' })
  @ApiProblemResponses(404, 429)
  async get(
    @Param('id') id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserDto | undefined> {
    const { user, version } = await this.users.get(id);
    void reply.header('etag', etagOf(version));
    if (!matchesIfNoneMatch(ifNoneMatch, version)) return user;
    void reply.status(304);
    return undefined;
  }

  @Patch(':id/roles')
  @ApiOperation({ operationId: 'setUserRoles', summary: 'Replace a user\'s roles' })
  @RequirePermissions(Permission.UsersWrite)
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag you read; 412 if the account changed since.' })
  @ApiOkResponse({ type: UserDto, headers: { ETag: { description: 'New version of the account.', schema: { type: 'string' } } } })
  @ApiProblemResponses(400, 404, 412, 422, 429)
  async setRoles(
    @Param('id') id: string,
    @Body() body: SetRolesDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserDto> {
    const { user, version } = await this.users.setRoles(id, body.roles, {
      expectedVersion: versionFromIfMatch(ifMatch),
      actorId: principal.userId,
    });
    void reply.header('etag', etagOf(version));
    return user;
  }
}
