import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config';
import { permissionsOf, Role } from './permissions';
import type { Principal } from './principal';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  roles: Role[];
}

/** Verifies access tokens: HS256 only (so `alg: none` and key confusion fail), issuer and expiry checked. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.auth.jwtSecret,
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
