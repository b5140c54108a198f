import { Body, Controller, HttpCode, Ip, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiProblemResponses, problemResponse } from '../common/problem/problem.openapi';
import { AuthRateLimit } from '../common/throttling/throttling';
import { UserDto } from '../users/dto/user.dto';
import { AuthService } from './auth.service';
import { Public } from './decorators';
import { LoginDto, RefreshTokenDto, RegisterDto, TokenPairDto } from './dto/auth.dto';

@ApiTags('Auth')
@Controller({ path: 'auth', version: '1' })
@Public()
@AuthRateLimit()
@ApiProblemResponses(400, 413, 415, 429)
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @ApiOperation({
    operationId: 'register',
    summary: 'Create a customer account',
    description:
      'The account gets the `customer` role. Sign in afterwards with `login`.\n\n' +
      'So that registering does not reveal who has an account, an email address that already has one gets the same answer ' +
      'as a new one (201, with a fresh id that belongs to no account) and the existing account is left unchanged. Until the ' +
      'owner is told by mail (planned), this has two costs: signing in with the password just sent fails, which still hints ' +
      'that the address was taken, and someone who registers twice is not told that they already have an account.',
  })
  @ApiCreatedResponse({
    type: UserDto,
    description: 'The account was created, or the email address already had one (the answer is the same; see the description).',
    headers: { Location: { description: 'Where the account can be read once signed in.', schema: { type: 'string', format: 'uri-reference', maxLength: 200, example: '/v1/me' } } },
  })
  // API v1 promised a 409 for a taken email; removing it from the contract would take API v2.
  @ApiResponse({
    status: 409,
    ...problemResponse(409, { description: 'No longer answered: an email address that already has an account gets 201 (see the description).' }),
  })
  async register(@Body() body: RegisterDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<UserDto> {
    const user = await this.auth.register(body);
    void reply.header('location', '/v1/me');
    return user;
  }

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'login',
    summary: 'Sign in with email and password',
    description:
      'Returns a short-lived access token and a refresh token. Wrong credentials answer 401 without saying which part was wrong. ' +
      'Failed attempts are counted per account and client address: after a few, each further attempt must wait a growing ' +
      'delay, then the account is locked for this address for a while (429 with Retry-After); the account as a whole locks only ' +
      'after many failures from many addresses, and not for addresses that signed in to it before. A successful sign-in resets ' +
      'the counts.',
  })
  @ApiOkResponse({ type: TokenPairDto, description: 'Signed in.' })
  @ApiProblemResponses(401)
  login(@Body() body: LoginDto, @Ip() address: string): Promise<TokenPairDto> {
    return this.auth.login(body, address);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'refreshTokens',
    summary: 'Trade a refresh token for a new token pair',
    description: 'The presented token is spent. Presenting a spent token again revokes the whole session.',
  })
  @ApiOkResponse({ type: TokenPairDto, description: 'A new token pair; the presented refresh token is spent.' })
  @ApiProblemResponses(401)
  refresh(@Body() body: RefreshTokenDto): Promise<TokenPairDto> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'logout',
    summary: 'End the session a refresh token belongs to',
    description: 'Revokes every refresh token of the session. Idempotent: an unknown or spent token also answers 204.',
  })
  @ApiNoContentResponse({ description: 'The session is revoked (or the token was unknown).' })
  logout(@Body() body: RefreshTokenDto): Promise<void> {
    return this.auth.logout(body.refreshToken);
  }
}
