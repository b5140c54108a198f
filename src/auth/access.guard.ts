import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { timingSafeEqual } from 'node:crypto';
import { AppError, ForbiddenError, UnauthorizedError } from '../common/problem/app-error';
import { AppConfig } from '../config/app-config';
import { AccessRevocations } from './access-revocations.service';
import { accessRuleOf } from './decorators';
import { bearerTokenOf } from './jwt.strategy';
import { Permission } from './permissions';
import type { Principal } from './principal';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** How many verified access tokens are remembered (each a few hundred bytes). */
const VERIFIED_TOKENS_MAX = 10_000;

/**
 * The global guard: denies every handler unless it is marked @Public() or names the
 * permissions it needs with @RequirePermissions(), and the caller holds one of them. Public
 * handlers marked identifyCaller also verify a bearer token sent along, to know who is calling.
 *
 * Passport (JwtStrategy) verifies access tokens. A token it accepted is remembered, keyed by its
 * full text, until its `exp`: the same bytes verify the same way until then, so a repeat skips
 * the signature check and passport's machinery, which were most of the guard's cost per request.
 * Revocation (sign-out, a roles change) is checked on every request, cached or not.
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger(AccessGuard.name);
  private readonly verified = new LRUCache<string, { principal: Principal; expiresAtMs: number }>({ max: VERIFIED_TOKENS_MAX });

  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly revocations: AccessRevocations,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = accessRuleOf(this.reflector, context.getHandler(), context.getClass());
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (rule.kind === 'public') {
      if (rule.identifyCaller && request.headers.authorization !== undefined) {
        request.user = this.serviceTokenPrincipal(request) ?? (await this.authenticate(context));
      }
      return true;
    }
    if (rule.kind === 'unset') {
      this.logger.error(`${context.getClass().name}.${context.getHandler().name} is neither public nor guarded; denied`);
      throw new ForbiddenError('This operation is not open to any caller.');
    }
    request.user = this.serviceTokenPrincipal(request) ?? (await this.authenticate(context));
    const required = rule.permissions;
    const granted = request.user.permissions;
    if (!required.some((permission) => granted.has(permission))) {
      throw new ForbiddenError(`This operation requires the permission ${required.join(' or ')}.`);
    }
    return true;
  }

  override handleRequest<TUser = Principal>(error: unknown, user: TUser | false, info: unknown): TUser {
    if (error instanceof AppError) throw error;
    if (error || !user) {
      const reason = info instanceof Error ? info.name : '';
      throw new UnauthorizedError(
        reason === 'TokenExpiredError'
          ? 'The access token has expired; refresh it.'
          : reason === 'JsonWebTokenError'
            ? 'The access token is not valid.'
            : 'Send an access token as "Authorization: Bearer <token>".',
      );
    }
    return user;
  }

  private async authenticate(context: ExecutionContext): Promise<Principal> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerTokenOf(request.headers.authorization);
    const known = token === undefined ? undefined : this.verified.get(token);
    if (known && Date.now() < known.expiresAtMs) return this.unlessRevoked({ ...known.principal });
    await super.canActivate(context);
    const principal = this.unlessRevoked(request.user as Principal);
    const exp = token === undefined ? undefined : this.jwt.decode<{ exp?: unknown } | null>(token)?.exp;
    if (token !== undefined && typeof exp === 'number') {
      this.verified.set(token, { principal, expiresAtMs: exp * 1000 }, { ttl: Math.max(1, exp * 1000 - Date.now()) });
    }
    return principal;
  }

  private unlessRevoked(principal: Principal): Principal {
    if (this.revocations.isRevoked(principal)) {
      throw new UnauthorizedError('The access token was revoked (signed out, or the account\'s roles changed); sign in or refresh.');
    }
    return principal;
  }

  /** The static metrics token from config, for scrapers that cannot sign in. */
  private serviceTokenPrincipal(request: FastifyRequest): Principal | undefined {
    const token = this.config.metrics.token;
    const header = request.headers.authorization;
    if (!token || !header?.startsWith('Bearer ') || !sameSecret(header.slice(7), token)) return undefined;
    return { roles: [], permissions: new Set([Permission.MetricsRead]) };
  }
}
