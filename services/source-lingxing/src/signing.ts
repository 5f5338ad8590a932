/**
 * 领星 request signing (开放平台 签名规则): every public query parameter (`access_token`, `app_key`, `timestamp`)
 * and every business parameter (the JSON body of a POST), keys sorted by ASCII, values as text (objects and arrays
 * as compact JSON in the order they are sent), "" and null left out, joined `k=v&…` → MD5, upper-case hex →
 * AES-128-ECB with the appId as key (PKCS#7) → base64. The caller URL-encodes it into the query.
 * Never log the string to sign.
 */
import { createCipheriv, createHash } from 'node:crypto';

export function lingxingStringToSign(params: Record<string, unknown>): string {
  return Object.entries(params)
    .filter(([key, value]) => key !== 'sign' && value !== '' && value !== null && value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join('&');
}

/** The `sign` query value (before URL encoding). `appId` is the AES-128 key, so it must be 16 bytes. */
export function lingxingSign(appId: string, params: Record<string, unknown>): string {
  const key = Buffer.from(appId, 'utf8');
  if (key.length !== 16) throw new Error(`领星 appId must be 16 bytes (the AES-128 key), got ${key.length}`);
  const digest = createHash('md5').update(lingxingStringToSign(params), 'utf8').digest('hex').toUpperCase();
  const cipher = createCipheriv('aes-128-ecb', key, null);
  return Buffer.concat([cipher.update(digest, 'latin1'), cipher.final()]).toString('base64');
}
