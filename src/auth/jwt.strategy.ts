import { Injectable } from '@nestjs/common';
import { createSecretKey, KeyObject } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config';
import { permissionsOf, Role } from './permissions';
import type { Principal } from './principal';

/**
 * The HS256 key as a KeyObject. Given a string, jsonwebtoken first tries to parse it as a PEM
 * key on every call, and that failed parse was 30% of the CPU of an authenticated request.
 */
export function signingKeyOf(config: AppConfig): KeyObject {
  return createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8'));
}

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  roles: Role[];
}

/** The bearer token of an Authorization header, read as passport-jwt's `fromAuthHeaderAsBearerToken` reads it. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /(\S+)\s+(\S+)/.exec(header);
  return match && match[1].toLowerCase() === 'bearer' ? match[2] : undefined;
}

/** Verifies access tokens: HS256 only (so `alg: none` and key confusion fail), issuer and expiry checked. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands the key to jsonwebtoken, which takes a KeyObject; its typings lag behind.
      secretOrKey: signingKeyOf(config) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: config.auth.jwtIssuer,
      ignoreExpiration: false,
    });
  }

  validate(claims: AccessTokenClaims): Principal {
    const roles = Array.isArray(claims.roles) ? claims.roles : [];
    return { userId: claims.sub, sessionId: claims.sid, roles, permissions: permissionsOf(roles) };
  }
}
