import { randomBytes } from 'node:crypto';
import { Role } from '../../src/auth/permissions';
import { UsersService } from '../../src/users/users.service';
import type { ApiResponse, TestApp } from './test-app';

export const PASSWORD = 'correct-horse-battery-9';

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.com`;
}

export interface SignedInUser {
  id: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers a customer through the API, optionally gives it roles, and signs it in. */
export async function signUp(t: TestApp, roles: Role[] = [Role.Customer]): Promise<SignedInUser> {
  const email = uniqueEmail(roles[0]);
  const registered = await t.request('POST', '/v1/auth/register', { body: { email, password: PASSWORD } });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${JSON.stringify(registered.body)}`);
  if (roles.length !== 1 || roles[0] !== Role.Customer) await t.get(UsersService).setRoles(registered.body.id, roles);
  const login = await t.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { id: registered.body.id, email, accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

/** Signs an existing account in and returns its tokens; throws unless the answer is 200. */
export async function signIn(t: TestApp, email: string, password = PASSWORD): Promise<TokenPair> {
  const login = await t.request('POST', '/v1/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
}

/** The claims of a JWT, read without verifying it. */
export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** The distinct fields named in a validation problem's `errors`, sorted. */
export function invalidFields(response: ApiResponse): string[] {
  return [...new Set((response.body.errors as { field: string }[]).map((error) => error.field))].sort();
}
