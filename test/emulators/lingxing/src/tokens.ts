/**
 * 领星 token lifecycle: `access-token` issues a pair from the app credentials (a new pair each call, older access
 * tokens keep working until they expire), access tokens live 7199 s, refresh tokens 2 h and only once.
 */
import { randomUUID } from 'node:crypto';

export const ACCESS_TOKEN_SECONDS = 7199;
export const REFRESH_TOKEN_MS = 2 * 3_600_000;

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

/** Codes of the token endpoints and of business calls with a bad token (string codes, as the gateway sends). */
export type TokenRefusal = '2001001' | '2001002' | '2001003' | '2001005' | '2001008' | '2001009';

export class TokenAuthority {
  private readonly access = new Map<string, { appId: string; expiresMs: number }>();
  private readonly refresh = new Map<string, { appId: string; expiresMs: number; used: boolean }>();

  constructor(
    private readonly apps: ReadonlyMap<string, string>,
    private readonly now: () => number,
  ) {}

  private issue(appId: string): TokenPair {
    const pair = { access_token: randomUUID(), refresh_token: randomUUID(), expires_in: ACCESS_TOKEN_SECONDS };
    this.access.set(pair.access_token, { appId, expiresMs: this.now() + ACCESS_TOKEN_SECONDS * 1000 });
    this.refresh.set(pair.refresh_token, { appId, expiresMs: this.now() + REFRESH_TOKEN_MS, used: false });
    return pair;
  }

  /** `POST /api/auth-server/oauth/access-token` with appId and appSecret. */
  accessToken(appId: unknown, appSecret: unknown): TokenPair | TokenRefusal {
    const secret = typeof appId === 'string' ? this.apps.get(appId) : undefined;
    if (secret === undefined) return '2001001';
    if (appSecret !== secret) return '2001002';
    return this.issue(appId as string);
  }

  /** `POST /api/auth-server/oauth/refresh` with appId and refreshToken: a new pair; the old refresh token is spent. */
  refreshToken(appId: unknown, refreshToken: unknown): TokenPair | TokenRefusal {
    if (typeof appId !== 'string' || !this.apps.has(appId)) return '2001001';
    const known = typeof refreshToken === 'string' ? this.refresh.get(refreshToken) : undefined;
    if (!known || known.appId !== appId || known.used) return '2001009';
    if (known.expiresMs <= this.now()) return '2001008';
    known.used = true;
    return this.issue(appId);
  }

  /** The refusal of a business call's token, or undefined when it is valid for the app. */
  check(appId: string, accessToken: unknown): TokenRefusal | undefined {
    const known = typeof accessToken === 'string' ? this.access.get(accessToken) : undefined;
    if (!known || known.expiresMs <= this.now()) return '2001003';
    if (known.appId !== appId) return '2001005';
    return undefined;
  }

  /** Every access token issued so far expires now (fault knob: token expiry mid-run). */
  expireAccessTokens(): void {
    for (const token of this.access.values()) token.expiresMs = Math.min(token.expiresMs, this.now());
  }
}
