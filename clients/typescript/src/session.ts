import type { Client } from './generated/client/index.js';
import { login, logout, refreshTokens } from './generated/sdk.gen.js';
import type { TokenPairDto } from './generated/types.gen.js';
import { isProblem, ProblemError } from './problem.js';

export interface SessionOptions {
  /** Refresh this many seconds before the access token expires (default 30). */
  refreshMarginSeconds?: number;
  /** Called with each new token pair (to persist it), and with undefined when the session ends. */
  onTokens?: (tokens: TokenPairDto | undefined) => void;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * Holds one user's tokens for a client: signs in, hands the access token to each request that
 * takes one (createEmporiumClient asks it per request), refreshes it shortly before it expires or
 * after a 401, and rotates the refresh token as the API requires. Concurrent refreshes share one call.
 */
export class Session {
  private tokens?: TokenPairDto;
  private expiresAt = 0;
  private refreshing?: Promise<TokenPairDto>;
  private readonly margin: number;
  private readonly now: () => number;

  constructor(
    private readonly client: Client,
    private readonly options: SessionOptions = {},
  ) {
    this.margin = (options.refreshMarginSeconds ?? 30) * 1000;
    this.now = options.now ?? Date.now;
  }

  get signedIn(): boolean {
    return this.tokens !== undefined;
  }

  /** The current pair, e.g. to persist the refresh token. */
  get current(): TokenPairDto | undefined {
    return this.tokens;
  }

  /** Starts from a stored pair instead of signing in (its access token is refreshed on first use). */
  restore(tokens: Pick<TokenPairDto, 'refreshToken'> & Partial<TokenPairDto>): void {
    this.tokens = { accessToken: '', tokenType: 'Bearer', expiresIn: 0, ...tokens };
    this.expiresAt = tokens.accessToken && tokens.expiresIn ? this.now() + tokens.expiresIn * 1000 : 0;
  }

  /** Signs in and keeps the pair; `cartToken` moves that guest cart's lines into the customer's cart. */
  async signIn(email: string, password: string, options: { cartToken?: string } = {}): Promise<TokenPairDto> {
    const { data, error, response } = await login({ client: this.client, body: { email, password, ...options } });
    if (error !== undefined) throw toProblemError(error, response);
    this.store(data);
    return data;
  }

  /** Trades the refresh token for a new pair; concurrent callers share one request. */
  refresh(): Promise<TokenPairDto> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** The access token to send, refreshed first when it expires within the margin. */
  async accessToken(): Promise<string | undefined> {
    if (!this.tokens) return undefined;
    if (this.now() >= this.expiresAt - this.margin) await this.refresh();
    return this.tokens?.accessToken;
  }

  /** Revokes the session on the server and forgets the tokens. */
  async signOut(): Promise<void> {
    const tokens = this.tokens;
    this.clear();
    if (tokens) await logout({ client: this.client, body: { refreshToken: tokens.refreshToken }, throwOnError: true });
  }

  private async doRefresh(): Promise<TokenPairDto> {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) throw new Error('not signed in');
    const { data, error, response } = await refreshTokens({ client: this.client, body: { refreshToken } });
    if (error !== undefined) {
      // A rejected refresh token (expired, revoked, reused) ends the session: sign in again.
      if (response.status === 401) this.clear();
      throw toProblemError(error, response);
    }
    this.store(data);
    return data;
  }

  private store(tokens: TokenPairDto): void {
    this.tokens = tokens;
    this.expiresAt = this.now() + tokens.expiresIn * 1000;
    this.options.onTokens?.(tokens);
  }

  private clear(): void {
    this.tokens = undefined;
    this.expiresAt = 0;
    this.options.onTokens?.(undefined);
  }
}

function toProblemError(error: unknown, response: Response | undefined): Error {
  return isProblem(error) ? new ProblemError(error, response) : new Error(`request failed: ${response?.status ?? 'network error'}`);
}
