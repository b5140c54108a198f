import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { EntityManager } from 'typeorm';
import { CartsService } from '../carts/carts.service';
import { UnauthorizedError } from '../common/problem/app-error';
import { AppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { UserDto } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';
import { LoginDto, RegisterDto, TokenPairDto } from './dto/auth.dto';
import { AccessRevocations } from './access-revocations.service';
import type { AccessTokenClaims } from './jwt.strategy';
import { LoginAttempts } from './login-attempts';
import { PasswordService } from './password.service';
import { Role } from './permissions';
import { RefreshTokenService } from './refresh-token.service';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly jwt: JwtService,
    private readonly tx: TransactionService,
    private readonly config: AppConfig,
    private readonly carts: CartsService,
    private readonly revocations: AccessRevocations,
    private readonly loginAttempts: LoginAttempts,
  ) {}

  /**
   * An email that already has an account gets the answer a new one gets, after the same work (the
   * hash is computed either way), so registering does not tell who has an account here. The
   * existing account is left as it was.
   */
  async register(input: RegisterDto): Promise<UserDto> {
    const passwordHash = await this.passwords.hash(input.password);
    return this.users.create({ email: input.email, name: input.name, passwordHash, roles: [Role.Customer] }, { concealExisting: true });
  }

  /** Signs in from a client `address` (for the failure counts of LoginAttempts). */
  async login(input: LoginDto, address: string): Promise<TokenPairDto> {
    await this.loginAttempts.begin(input.email, address);
    const account = await this.users.findCredentials(input.email);
    if (!(await this.passwords.verify(account?.passwordHash, input.password)) || !account) {
      this.logger.warn({ event: 'login.failed' }, 'failed sign-in');
      throw new UnauthorizedError('The email address or password is not correct.');
    }
    await this.loginAttempts.succeeded(input.email, address);
    const { token, familyId } = await this.tx.run((manager) => this.refreshTokens.issue(manager, account.id));
    this.logger.log({ event: 'login.succeeded', userId: account.id }, 'signed in');
    // Never fails the sign-in: an unknown or foreign token is ignored, errors are logged.
    if (input.cartToken) await this.carts.mergeGuestCart(account.id, input.cartToken);
    return this.tokenPair(account.id, familyId, account, token);
  }

  async refresh(refreshToken: string): Promise<TokenPairDto> {
    const result = await this.tx.run(async (manager) => {
      const rotation = await this.refreshTokens.rotate(manager, refreshToken);
      if (rotation.outcome === 'reused') await this.revokeSession(manager, rotation.familyId);
      return rotation;
    });
    if (result.outcome === 'reused') {
      await this.revocations.sync();
      this.logger.warn({ event: 'refresh.reuse', familyId: result.familyId }, 'spent refresh token presented again; session revoked');
      throw new UnauthorizedError('This refresh token was already used; the session is revoked. Sign in again.');
    }
    if (result.outcome === 'invalid') throw new UnauthorizedError('The refresh token is not valid or has expired.');
    return this.tokenPair(result.userId, result.familyId, await this.users.accessOf(result.userId), result.token);
  }

  /** Revokes the session the refresh token belongs to. Unknown tokens are ignored (RFC 7009). */
  async logout(refreshToken: string): Promise<void> {
    const familyId = await this.refreshTokens.familyOf(refreshToken);
    if (!familyId) return;
    await this.tx.run((manager) => this.revokeSession(manager, familyId));
    await this.revocations.sync();
    this.logger.log({ event: 'logout', familyId }, 'session revoked');
  }

  /** Ends a session: its refresh tokens, and the access tokens issued from them. */
  private async revokeSession(manager: EntityManager, familyId: string): Promise<void> {
    await this.refreshTokens.revokeFamily(manager, familyId);
    await this.revocations.revokeSession(manager, familyId);
  }

  private async tokenPair(userId: string, familyId: string, access: { roles: Role[]; version: number }, refreshToken: string): Promise<TokenPairDto> {
    const claims: AccessTokenClaims = { sub: userId, sid: familyId, roles: access.roles, ver: access.version };
    return {
      accessToken: await this.jwt.signAsync(claims),
      tokenType: 'Bearer',
      expiresIn: this.config.auth.accessTtlSeconds,
      refreshToken,
    };
  }
}
