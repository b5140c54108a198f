import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Permission, Role } from './permissions';

/** Who is calling: a signed-in user, or a service holding a static token from config. */
export interface Principal {
  /** Absent for a service token. */
  userId?: string;
  /** The refresh-token family the access token was issued from. */
  sessionId?: string;
  /** The account's version when the access token was issued; a later roles change revokes the token. */
  userVersion?: number;
  roles: Role[];
  permissions: ReadonlySet<Permission>;
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: Principal;
  }
}

/** The authenticated caller of a guarded handler. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<FastifyRequest>().user;
  if (!principal) throw new Error('CurrentPrincipal used on a route the access guard does not cover');
  return principal;
});

/** The caller of a public handler when it presented a valid token; undefined for anonymous callers. */
export const OptionalPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal | undefined => context.switchToHttp().getRequest<FastifyRequest>().user,
);
