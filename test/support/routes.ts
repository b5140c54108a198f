import { RequestMethod, VERSION_NEUTRAL, type INestApplicationContext } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { accessRuleOf } from '../../src/auth/decorators';

export interface RouteAccess {
  method: string;
  /** As Fastify matches it, e.g. `/v1/users/:id`. */
  path: string;
  handler: string;
  isPublic: boolean;
  /** Public, but verifies a bearer token sent along (so a bad one is 401). */
  identifiesCaller: boolean;
  permissions: string[];
}

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function versionPrefixes(version: unknown): string[] {
  if (version === undefined || version === VERSION_NEUTRAL) return [''];
  return asList(version as string | string[]).map((v) => `v${v}`);
}

/**
 * Every controller handler of the application with the access metadata the global guard reads,
 * resolved by the guard's own rule (accessRuleOf).
 */
export function walkRoutes(app: INestApplicationContext): RouteAccess[] {
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const routes: RouteAccess[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype !== 'function') continue;
      const controller = metatype as new (...args: never[]) => unknown;
      for (const name of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, () => unknown>)[name];
        const methodPaths = asList<string>(Reflect.getMetadata(PATH_METADATA, handler));
        if (methodPaths.length === 0) continue;
        const rule = accessRuleOf(reflector, handler, controller);
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const version = Reflect.getMetadata(VERSION_METADATA, handler) ?? Reflect.getMetadata(VERSION_METADATA, controller);
        const access = {
          handler: `${controller.name}.${name}`,
          isPublic: rule.kind === 'public',
          identifiesCaller: rule.kind === 'public' && rule.identifyCaller,
          permissions: rule.kind === 'permissions' ? rule.permissions : [],
        };
        for (const prefix of versionPrefixes(version)) {
          for (const controllerPath of asList<string>(Reflect.getMetadata(PATH_METADATA, controller))) {
            for (const methodPath of methodPaths) {
              const segments = [prefix, controllerPath, methodPath].flatMap((part) => part.split('/')).filter(Boolean);
              routes.push({ method, path: `/${segments.join('/')}`, ...access });
            }
          }
        }
      }
    }
  }
  return routes;
}
