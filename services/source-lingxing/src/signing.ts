/**
 * 领星 request signing: hex HMAC-SHA256(app_secret, "k1=v1&k2=v2…") over every body field but `sign`, keys
 * sorted. Replace with the vendor's algorithm and prove it with the documentation's test vectors (signing.test.ts).
 * Never log the string to sign.
 */
import { createHmac } from 'node:crypto';

export function lingxingSign(appSecret: string, fields: Record<string, string | number>): string {
  const text = Object.keys(fields)
    .filter((key) => key !== 'sign')
    .sort()
    .map((key) => `${key}=${String(fields[key])}`)
    .join('&');
  return createHmac('sha256', appSecret).update(text, 'utf8').digest('hex');
}
