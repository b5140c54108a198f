import { type Client, type Config, createClient, createConfig } from './generated/client/index.js';
import { publicCatalogReads } from './generated/operation-facts.gen.js';
import { isProblem } from './problem.js';
import { Session, type SessionOptions } from './session.js';

export * from './generated/index.js';
// Named exports win over the generated ones of `export *`: these reads type a 304 as NotModified.
export { type ConditionalRead, getCategory, getProduct, getProductBySlug, getUser, type NotModified } from './not-modified.js';
export { zProblemDto } from './generated/zod.gen.js';
export type { Client, Config, RequestResult } from './generated/client/index.js';
export { createClient, createConfig };
/** The module-level default client the SDK functions use when no `client` is passed. */
export { client } from './generated/client.gen.js';
export { isProblem, type Problem, ProblemError } from './problem.js';
export { Session, type SessionOptions } from './session.js';

export type CatalogAuth = 'never' | 'always';

export interface EmporiumClientOptions extends Omit<Config, 'baseUrl' | 'auth'> {
  /** The API's origin, e.g. `https://shop.example.com` (no `/v1`: the paths carry it). */
  baseUrl: string;
  /** Token handling for signed-in calls; see {@link Session}. */
  session?: SessionOptions;
  /**
   * Whether a signed-in client sends its access token on reads of the public catalog
   * (listProducts, getProduct, getProductBySlug, listCategories, getCategory, listProductImages):
   * - `'never'` (default, for storefronts): they go without it, so every shopper gets the answer
   *   the API caches for anonymous callers (a request with Authorization bypasses that cache).
   * - `'always'`: staff tools, which need the token to see draft and archived products.
   */
  catalogAuth?: CatalogAuth;
  /**
   * Check every error body against the documented problem+json schema and reject the call
   * when it does not match (default true), just as success bodies are checked by the SDK.
   */
  validateProblems?: boolean;
}

const PUBLIC_CATALOG_READS: ReadonlySet<string> = new Set(publicCatalogReads);

export interface EmporiumClient {
  client: Client;
  session: Session;
}

/**
 * A client for one API origin with its own session. Pass `{ client }` to every SDK function:
 *
 *     const { client, session } = createEmporiumClient({ baseUrl });
 *     await session.signIn(email, password);
 *     const { data, error } = await getMe({ client });
 *
 * Signed-in calls get `Authorization: Bearer <access token>`, refreshed shortly before it
 * expires; a 401 on a call that carried a token triggers one refresh and one retry. Public
 * catalog reads go without the token unless `catalogAuth` is `'always'`.
 */
export function createEmporiumClient(options: EmporiumClientOptions): EmporiumClient {
  const {
    session: sessionOptions,
    catalogAuth = 'never',
    validateProblems = true,
    fetch: baseFetch = globalThis.fetch,
    ...config
  } = options;

  const fetchWithRetry = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const sentToken = request.headers.has('authorization');
    const retry = sentToken && session.signedIn ? request.clone() : undefined;
    const response = await baseFetch(request);
    if (response.status !== 401 || !retry) return response;
    try {
      await session.refresh();
    } catch {
      return response;
    }
    const token = await session.accessToken();
    if (!token) return response;
    retry.headers.set('authorization', `Bearer ${token}`);
    return baseFetch(retry);
  };

  const client = createClient(createConfig({ ...config, fetch: fetchWithRetry }));
  const session = new Session(client, sessionOptions);

  // The session's token goes on in an interceptor rather than through the client's `auth`
  // callback, which is not told the operation: a public catalog read left without the token
  // then does not wait for (or fail with) a refresh either. A call's own `auth` still wins.
  client.interceptors.request.use(async (request, requestOptions) => {
    const wantsBearer = requestOptions.security?.some((scheme) => scheme.scheme === 'bearer') ?? false;
    if (!wantsBearer || request.headers.has('authorization') || !session.signedIn) return request;
    if (catalogAuth === 'never' && PUBLIC_CATALOG_READS.has(`${requestOptions.method} ${requestOptions.url}`)) return request;
    const token = await session.accessToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  });

  if (validateProblems) {
    client.interceptors.error.use((error, response) => {
      if (response && /^application\/problem\+json/.test(response.headers.get('content-type') ?? '') && !isProblem(error)) {
        throw new Error(`response ${response.status} is not a valid problem+json body: ${JSON.stringify(error)}`);
      }
      return error;
    });
  }
  return { client, session };
}
