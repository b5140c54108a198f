import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermissions } from '../auth/decorators';
import { Permission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { UnauthorizedError } from '../common/problem/app-error';
import { Page, PageQueryDto, Paginated } from '../common/pagination/pagination';
import { ApiProblemResponses } from '../common/problem/problem.openapi';
import { CustomersService } from './customers.service';
import { AddressDto, CreateAddressDto, UpdateAddressDto } from './dto/address.dto';
import { ProfileDto, PutProfileDto } from './dto/profile.dto';

const LOCATION = {
  Location: {
    description: 'Path of the created resource.',
    required: true,
    schema: { type: 'string' as const, maxLength: 200, example: '/v1/me/addresses/0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' },
  },
};

const AddressIdParam = () =>
  ApiParam({
    name: 'id',
    description: 'Public id of one of the caller\'s addresses (UUID); another customer\'s address, or any other string, is answered 404.',
    schema: { type: 'string', format: 'uuid', minLength: 36, maxLength: 36, example: '0193f2a4-7b3c-7000-8000-4a1f2b3c4d5e' },
  });

function userIdOf(principal: Principal): string {
  if (!principal.userId) throw new UnauthorizedError('Sign in as a customer to reach a profile or addresses.');
  return principal.userId;
}

/** The signed-in customer's own profile and saved addresses. */
@ApiTags('Account')
@Controller({ path: 'me', version: '1' })
@RequirePermissions(Permission.AccountRead)
@ApiProblemResponses(400, 429)
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Get('profile')
  @ApiOperation({ operationId: 'getProfile', summary: 'The caller\'s profile', description: '404 until it is first saved with putProfile.' })
  @ApiOkResponse({ type: ProfileDto, description: 'The profile.' })
  @ApiProblemResponses(404)
  getProfile(@CurrentPrincipal() principal: Principal): Promise<ProfileDto> {
    return this.customers.getProfile(userIdOf(principal));
  }

  @Put('profile')
  @ApiOperation({
    operationId: 'putProfile',
    summary: 'Save the caller\'s profile',
    description: 'Replaces the whole profile (an omitted phone is removed): 201 the first time, 200 afterwards.',
  })
  @ApiOkResponse({ type: ProfileDto, description: 'The profile was replaced.' })
  @ApiCreatedResponse({ type: ProfileDto, description: 'The profile was created.' })
  @ApiProblemResponses(400)
  async putProfile(
    @CurrentPrincipal() principal: Principal,
    @Body() body: PutProfileDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProfileDto> {
    const { profile, created } = await this.customers.putProfile(userIdOf(principal), body);
    if (created) void reply.status(201);
    return profile;
  }

  @Get('addresses')
  @ApiOperation({ operationId: 'listAddresses', summary: 'The caller\'s saved addresses', description: 'Oldest first. Cursor-paginated.' })
  @Paginated(AddressDto)
  @ApiProblemResponses(400)
  listAddresses(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<Page<AddressDto>> {
    return this.customers.listAddresses(userIdOf(principal), query);
  }

  @Post('addresses')
  @ApiOperation({
    operationId: 'createAddress',
    summary: 'Save an address',
    description:
      'At most 50 per customer (422 beyond). Making it a default (shipping or billing) takes that role from the previous default ' +
      'in the same transaction, so a customer has at most one of each.',
  })
  @ApiCreatedResponse({ type: AddressDto, description: 'The saved address.', headers: LOCATION })
  @ApiProblemResponses(400, 422)
  async createAddress(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateAddressDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AddressDto> {
    const address = await this.customers.createAddress(userIdOf(principal), body);
    void reply.header('location', `/v1/me/addresses/${address.id}`);
    return address;
  }

  @Get('addresses/:id')
  @ApiOperation({ operationId: 'getAddress', summary: 'One of the caller\'s addresses', description: '404 for an address of another customer, exactly as for one that does not exist.' })
  @AddressIdParam()
  @ApiOkResponse({ type: AddressDto, description: 'The address.' })
  @ApiProblemResponses(404)
  getAddress(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<AddressDto> {
    return this.customers.getAddress(userIdOf(principal), id);
  }

  @Patch('addresses/:id')
  @ApiOperation({
    operationId: 'updateAddress',
    summary: 'Change one of the caller\'s addresses',
    description: 'Omitted fields stay; null clears an optional one. Making it a default takes that role from the previous default.',
  })
  @AddressIdParam()
  @ApiOkResponse({ type: AddressDto, description: 'The changed address.' })
  @ApiProblemResponses(400, 404)
  updateAddress(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: UpdateAddressDto): Promise<AddressDto> {
    return this.customers.updateAddress(userIdOf(principal), id, body);
  }

  @Delete('addresses/:id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteAddress',
    summary: 'Delete one of the caller\'s addresses',
    description: 'Orders keep their own copy of the address they shipped to. 404 for an address of another customer.',
  })
  @AddressIdParam()
  @ApiNoContentResponse({ description: 'The address is gone.' })
  @ApiProblemResponses(404)
  deleteAddress(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    return this.customers.deleteAddress(userIdOf(principal), id);
  }
}
