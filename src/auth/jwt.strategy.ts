import { Injectable } from '@nestjs/common';
import { createSecretKey, KeyObject } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { UnauthorizedError } from '../common/problem/app-error';
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

/** What Emporium writes into an access token; `iat` and `exp` are added by the signer. */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  roles: Role[];
  /** The account's version at issue (see AccessRevocations). */
  ver: number;
}

interface VerifiedClaims extends AccessTokenClaims {
  iat?: unknown;
  exp?: unknown;
}

/** Tolerated clock difference between the instances that sign and verify tokens. */
const CLOCK_SKEW_SECONDS = 30;

/** The bearer token of an Authorization header, read as passport-jwt's `fromAuthHeaderAsBearerToken` reads it. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /(\S+)\s+(\S+)/.exec(header);
  return match && match[1].toLowerCase() === 'bearer' ? match[2] : undefined;
}

/**
 * Verifies access tokens: HS256 only (so `alg: none` and key confusion fail), issuer and expiry
 * checked, and `exp` and `iat` required with a lifetime no longer than JWT_ACCESS_TTL_SECONDS, so a
 * token minted without an expiry (or with a far one) is never accepted.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly maxLifetimeSeconds: number;

  constructor(config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands the key to jsonwebtoken, which takes a KeyObject; its typings lag behind.
      secretOrKey: signingKeyOf(config) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: config.auth.jwtIssuer,
      ignoreExpiration: false,
      // jsonwebtoken then also refuses a token without `iat`, or older than this.
      jsonWebTokenOptions: { maxAge: config.auth.accessTtlSeconds + CLOCK_SKEW_SECONDS, clockTolerance: CLOCK_SKEW_SECONDS },
    });
    this.maxLifetimeSeconds = config.auth.accessTtlSeconds;
  }

  validate(claims: VerifiedClaims): Principal {
    const { iat, exp } = claims;
    const now = Date.now() / 1000;
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > this.maxLifetimeSeconds || iat > now + CLOCK_SKEW_SECONDS) {
      throw new UnauthorizedError('The access token is not valid.');
    }
    const roles = Array.isArray(claims.roles) ? claims.roles : [];
    const userVersion = typeof claims.ver === 'number' ? claims.ver : 0;
    return { userId: claims.sub, sessionId: claims.sid, userVersion, roles, permissions: permissionsOf(roles) };
  }
}
