import { applyDecorators, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { ApiProblemResponses } from '../common/problem/problem.openapi';
import { Permission } from './permissions';

export const IS_PUBLIC = 'emporium:isPublic';
export const REQUIRED_PERMISSIONS = 'emporium:requiredPermissions';

/** Opens a handler (or controller) to anonymous callers. Everything else is denied by default. */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension('x-public', true));

/**
 * Guards a handler: the caller must be authenticated and hold at least one of the permissions.
 * Also states the bearer requirement and the 401/403 answers in the OpenAPI document.
 */
export const RequirePermissions = (...permissions: [Permission, ...Permission[]]) =>
  applyDecorators(
    SetMetadata(REQUIRED_PERMISSIONS, permissions),
    ApiBearerAuth(),
    ApiExtension('x-required-permissions', permissions),
    ApiProblemResponses(401, 403),
  );

export type AccessRule = { kind: 'public' } | { kind: 'permissions'; permissions: Permission[] } | { kind: 'unset' };

/**
 * How the access guard treats a handler. The handler's own marking wins over its controller's,
 * so a guarded handler inside a @Public() controller stays guarded; where one target carries
 * both markings, the permissions win.
 */
type MetadataTarget = Parameters<Reflector['get']>[1];

export function accessRuleOf(reflector: Reflector, handler: MetadataTarget, controller: MetadataTarget): AccessRule {
  for (const target of [handler, controller]) {
    const permissions = reflector.get<Permission[] | undefined>(REQUIRED_PERMISSIONS, target);
    if (permissions?.length) return { kind: 'permissions', permissions };
    if (reflector.get<boolean | undefined>(IS_PUBLIC, target)) return { kind: 'public' };
  }
  return { kind: 'unset' };
}
