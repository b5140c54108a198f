import { Body, Controller, Get, Headers, Param, Patch, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiNotModifiedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
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

const USER_ID_PARAM = {
  name: 'id',
  description: 'Public id of the user (UUID); any other string is answered 404.',
  schema: { type: 'string' as const, format: 'uuid', minLength: 36, maxLength: 36, example: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' },
};

const ETAG_HEADER = {
  description: 'Version of the account, as a strong ETag.',
  required: true,
  schema: { type: 'string' as const, maxLength: 64, pattern: '^"[0-9]+"$', example: '"3"' },
};

@ApiTags('Users')
@Controller({ path: 'users', version: '1' })
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({
    operationId: 'listUsers',
    summary: 'List user accounts',
    description: 'Sorted by creation, oldest first; filter by role. Cursor-paginated: follow `nextCursor` or the `Link` header.',
  })
  @RequirePermissions(Permission.UsersRead)
  @Paginated(UserDto)
  @ApiProblemResponses(400, 429)
  list(@Query() query: ListUsersQueryDto): Promise<Page<UserDto>> {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getUser',
    summary: 'Get one user account',
    description: 'Carries an ETag; send it back in If-None-Match to get 304 while the account is unchanged.',
  })
  @RequirePermissions(Permission.UsersRead)
  @ApiParam(USER_ID_PARAM)
  @ApiHeader({
    name: 'If-None-Match',
    required: false,
    description: 'An ETag from an earlier read (or a list of them, or `*`); 304 when unchanged.',
    schema: { type: 'string', maxLength: 1024, example: '"3"' },
  })
  @ApiOkResponse({ type: UserDto, description: 'The account.', headers: { ETag: ETAG_HEADER } })
  @ApiNotModifiedResponse({ description: 'Unchanged since the ETag in If-None-Match; no body.', headers: { ETag: ETAG_HEADER } })
  @ApiProblemResponses(400, 404, 429)
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
  @ApiOperation({
    operationId: 'setUserRoles',
    summary: 'Replace a user\'s roles',
    description: 'Send the ETag you read as If-Match to make the change only if nobody changed the account since. The last admin cannot lose the admin role (422).',
  })
  @RequirePermissions(Permission.UsersWrite)
  @ApiParam(USER_ID_PARAM)
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The ETag you read; 412 if the account changed since.',
    schema: { type: 'string', maxLength: 64, example: '"3"' },
  })
  @ApiOkResponse({ type: UserDto, description: 'The account with its new roles.', headers: { ETag: { ...ETAG_HEADER, description: 'New version of the account.' } } })
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
