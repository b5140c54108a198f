import { Body, Controller, HttpCode, Post, Res, SetMetadata } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiProblemResponses } from '../common/problem/problem.openapi';
import { STRICT_THROTTLE } from '../common/throttling/throttling';
import { UserDto } from '../users/dto/user.dto';
import { AuthService } from './auth.service';
import { Public } from './decorators';
import { LoginDto, RefreshTokenDto, RegisterDto, TokenPairDto } from './dto/auth.dto';

@ApiTags('Auth')
@Controller({ path: 'auth', version: '1' })
@Public()
@SetMetadata(STRICT_THROTTLE, true)
@ApiProblemResponses(400, 413, 415, 429)
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @ApiOperation({
    operationId: 'register',
    summary: 'Create a customer account',
    description: 'The account gets the `customer` role. Sign in afterwards with `login`.',
  })
  @ApiCreatedResponse({
    type: UserDto,
    description: 'The account was created.',
    headers: { Location: { description: 'Where the account can be read once signed in.', schema: { type: 'string', format: 'uri-reference', maxLength: 200, example: '/v1/me' } } },
  })
  @ApiProblemResponses(409)
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
    description: 'Returns a short-lived access token and a refresh token. Wrong credentials answer 401 without saying which part was wrong.',
  })
  @ApiOkResponse({ type: TokenPairDto, description: 'Signed in.' })
  @ApiProblemResponses(401)
  login(@Body() body: LoginDto): Promise<TokenPairDto> {
    return this.auth.login(body);
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
