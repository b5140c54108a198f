import { randomBytes } from 'node:crypto';
import { Role } from '../../src/auth/permissions';
import { UsersService } from '../../src/users/users.service';
import type { TestApp } from './test-app';

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
  if (roles.join() !== Role.Customer) await t.get(UsersService).setRoles(registered.body.id, roles);
  const login = await t.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { id: registered.body.id, email, accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
}
