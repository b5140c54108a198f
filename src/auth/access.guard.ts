import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { ForbiddenError, UnauthorizedError } from '../common/problem/app-error';
import { AppConfig } from '../config/app-config';
import { accessRuleOf } from './decorators';
import { Permission } from './permissions';
import type { Principal } from './principal';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The global guard: denies every handler unless it is marked @Public() or names the
 * permissions it needs with @RequirePermissions(), and the caller holds one of them. Public
 * handlers marked identifyCaller also verify a bearer token sent along, to know who is calling.
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger(AccessGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
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
    await super.canActivate(context);
    return context.switchToHttp().getRequest<FastifyRequest>().user as Principal;
  }

  /** The static metrics token from config, for scrapers that cannot sign in. */
  private serviceTokenPrincipal(request: FastifyRequest): Principal | undefined {
    const token = this.config.metrics.token;
    const header = request.headers.authorization;
    if (!token || !header?.startsWith('Bearer ') || !sameSecret(header.slice(7), token)) return undefined;
    return { roles: [], permissions: new Set([Permission.MetricsRead]) };
  }
}
