import { applyDecorators, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { ApiProblemResponses } from '../common/problem/problem.openapi';
import { Permission } from './permissions';

export const IS_PUBLIC = 'emporium:isPublic';
export const REQUIRED_PERMISSIONS = 'emporium:requiredPermissions';
export const IDENTIFIES_CALLER = 'emporium:identifiesCaller';

/**
 * Opens a handler (or controller) to anonymous callers. Everything else is denied by default.
 * With `identifyCaller`, a bearer token sent along is verified (a bad one is 401) so the handler
 * can tailor its answer, e.g. staff see drafts; other public routes ignore tokens altogether, so a
 * client that attaches an expired token everywhere can still refresh it or register.
 */
export const Public = (options: { identifyCaller?: boolean } = {}) =>
  applyDecorators(
    SetMetadata(IS_PUBLIC, true),
    ApiExtension('x-public', true),
    ...(options.identifyCaller ? [SetMetadata(IDENTIFIES_CALLER, true), ApiProblemResponses(401)] : []),
  );

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

export type AccessRule =
  | { kind: 'public'; identifyCaller: boolean }
  | { kind: 'permissions'; permissions: Permission[] }
  | { kind: 'unset' };

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
    if (reflector.get<boolean | undefined>(IS_PUBLIC, target)) {
      return { kind: 'public', identifyCaller: reflector.get<boolean | undefined>(IDENTIFIES_CALLER, target) === true };
    }
  }
  return { kind: 'unset' };
}
