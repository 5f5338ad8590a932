/**
 * 赛狐 (SellFox) request signing (source-apis.md §5.2): lower-case hex HMAC-SHA256, key = client_secret, over the
 * six fields access_token, client_id, method (lower-case verb), nonce, timestamp (ms), url — sorted by key and
 * joined `k=v&…`. Business parameters (the JSON body) are not signed. Never log the string to sign.
 */
import { createHmac } from 'node:crypto';

export interface SaihuSignInput {
  accessToken: string;
  clientId: string;
  nonce: string;
  timestamp: string;
  /** What the platform checks as `url`: the request path, optionally behind a prefix (`/openapi`). */
  url: string;
  method?: 'post' | 'get';
}

export function saihuSign(clientSecret: string, input: SaihuSignInput): string {
  const fields: [string, string][] = [
    ['access_token', input.accessToken],
    ['client_id', input.clientId],
    ['method', input.method ?? 'post'],
    ['nonce', input.nonce],
    ['timestamp', input.timestamp],
    ['url', input.url],
  ];
  const message = fields
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  return createHmac('sha256', clientSecret).update(message, 'utf8').digest('hex');
}
