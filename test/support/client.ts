import { createEmporiumClient, type EmporiumClient, type EmporiumClientOptions, register } from '../../clients/typescript/src/index.js';
import { PASSWORD, uniqueEmail } from './factories';
import type { TestApp } from './test-app';

/**
 * The generated TypeScript client (clients/typescript), pointed at a running test app.
 * Consumer tests speak to the API only through this: every SDK call validates its success body
 * against the OpenAPI schema, and every problem body against ProblemDto.
 */
export function apiClient(t: Pick<TestApp, 'baseUrl'>, options: Partial<EmporiumClientOptions> = {}): EmporiumClient {
  return createEmporiumClient({ baseUrl: t.baseUrl, ...options });
}

export interface ClientUser extends EmporiumClient {
  id: string;
  email: string;
  password: string;
}

/** Registers a new customer through the client and returns a client signed in as it. */
export async function signedInCustomer(
  t: Pick<TestApp, 'baseUrl'>,
  prefix = 'customer',
  options: Partial<EmporiumClientOptions> = {},
): Promise<ClientUser> {
  const api = apiClient(t, options);
  const email = uniqueEmail(prefix);
  const { data, error } = await register({ client: api.client, body: { email, password: PASSWORD } });
  if (error !== undefined) throw new Error(`register failed: ${JSON.stringify(error)}`);
  await api.session.signIn(email, PASSWORD);
  return { ...api, id: data.id, email, password: PASSWORD };
}

/** A client signed in as an existing account (e.g. the ADMIN_EMAIL one). */
export async function signedInAs(
  t: Pick<TestApp, 'baseUrl'>,
  email: string,
  password: string,
  options: Partial<EmporiumClientOptions> = {},
): Promise<EmporiumClient> {
  const api = apiClient(t, options);
  await api.session.signIn(email, password);
  return api;
}

