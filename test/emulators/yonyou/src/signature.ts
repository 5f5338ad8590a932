import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The emulator's own check of a token request's signature, written from yonyou-api.md §3.2 (never the client's
 * signer, so a signing bug in the client fails a test): parameters other than `signature`, sorted by name,
 * `name+value` concatenated, HMAC-SHA256 keyed by the app secret, standard Base64.
 */
export function expectedSignature(query: Record<string, string>, appSecret: string): string {
  const names = Object.keys(query).filter((name) => name !== 'signature');
  names.sort();
  let message = '';
  for (const name of names) message += name + query[name];
  return createHmac('sha256', Buffer.from(appSecret, 'utf8')).update(Buffer.from(message, 'utf8')).digest('base64');
}

export function signatureMatches(query: Record<string, string>, appSecret: string): boolean {
  const given = Buffer.from(query.signature ?? '', 'utf8');
  const wanted = Buffer.from(expectedSignature(query, appSecret), 'utf8');
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
