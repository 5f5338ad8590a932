/**
 * The emulator's own signature check — written from the 领星 API documentation, never imported from the
 * connector (a signing bug in the connector must fail a test, not be mirrored here).
 * sign = hex HMAC-SHA256(app_secret, "k1=v1&k2=v2…") over every body field but `sign`, keys sorted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function expectedSign(secret: string, fields: Record<string, unknown>): string {
  const text = Object.keys(fields)
    .filter((key) => key !== 'sign')
    .sort()
    .map((key) => `${key}=${String(fields[key])}`)
    .join('&');
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

export function signatureMatches(secret: string, fields: Record<string, unknown>): boolean {
  const expected = Buffer.from(expectedSign(secret, fields));
  const given = Buffer.from(typeof fields.sign === 'string' ? fields.sign : '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
