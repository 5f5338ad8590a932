import { createHmac } from 'node:crypto';

/**
 * YonSuite open-platform signature (yonyou-api.md §3.2): every query parameter except `signature`, sorted by name
 * (byte order), concatenated as `name` + `value` with no separators, HMAC-SHA256 with the app secret, standard
 * Base64. Self-built apps sign `appKey<key>timestamp<ms>`; ISV apps `suiteKey…tenantId…timestamp…`.
 * The result is raw Base64: URLSearchParams encodes it once when it is put in the query.
 */
export function signParameters(parameters: Record<string, string>, secret: string): string {
  const message = Object.keys(parameters)
    .filter((name) => name !== 'signature')
    .sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1))
    .map((name) => `${name}${parameters[name]}`)
    .join('');
  return createHmac('sha256', secret).update(message, 'utf8').digest('base64');
}

/** The query of a self-built app's token request: appKey, millisecond timestamp, signature. */
export function tokenQuery(appKey: string, appSecret: string, timestampMs: number): Record<string, string> {
  const parameters = { appKey, timestamp: String(timestampMs) };
  return { ...parameters, signature: signParameters(parameters, appSecret) };
}
