/**
 * The emulator's own 赛狐 signature check — written from the API documentation (source-apis.md §5.2), never
 * imported from the connector (a signing bug in the connector must fail a test, not be mirrored here).
 * sign = lower-case hex HMAC-SHA256(key = client_secret) over the six fields access_token, client_id, method
 * (lower-case verb), nonce, timestamp, url — sorted by key, joined `k=v&…`. Business parameters are not signed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedFields {
  access_token: string;
  client_id: string;
  method: string;
  nonce: string;
  timestamp: string;
  url: string;
}

export function expectedSign(clientSecret: string, fields: SignedFields): string {
  const message = (Object.keys(fields) as (keyof SignedFields)[])
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('&');
  return createHmac('sha256', clientSecret).update(message, 'utf8').digest('hex');
}

/** The `url` forms a real call may have signed: the request path, and the doc example's `/openapi` + path. */
export type SignedUrlForm = 'path' | 'openapi';

export function signatureMatches(
  clientSecret: string,
  fields: Omit<SignedFields, 'url'>,
  path: string,
  sign: unknown,
  forms: readonly SignedUrlForm[],
): boolean {
  if (typeof sign !== 'string') return false;
  const given = Buffer.from(sign);
  return forms.some((form) => {
    const expected = Buffer.from(
      expectedSign(clientSecret, { ...fields, url: form === 'openapi' ? `/openapi${path}` : path }),
    );
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
