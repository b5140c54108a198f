import { applyDecorators, SetMetadata } from '@nestjs/common';
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
