import { createHash } from 'node:crypto';

/**
 * The emulator's own JST v2 signature (source-apis.md §2.2), written from the protocol text and deliberately not
 * shared with the source connector: if the connector signs wrongly, the emulator refuses it (code 10) and the
 * connector's tests fail. Checked against the spec's recomputed vector in signature.test.ts.
 *
 * 1. every parameter but `sign`; 2. keys in ASCII order, empty values dropped; 3. `key + value` with no separator;
 * 4. prefixed by the app secret, no suffix; 5. md5 of the UTF-8 bytes, lower-case hex.
 */
export function jstStringToSign(params: Record<string, string | undefined>, appSecret: string): string {
  const signed: [string, string][] = [];
  for (const [key, value] of Object.entries(params)) {
    if (key === 'sign' || value === undefined || value === '') continue;
    signed.push([key, value]);
  }
  // ASCII order by code unit (not locale order): 'Z' < '_' < 'a'.
  signed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let text = appSecret;
  for (const [key, value] of signed) text += key + value;
  return text;
}

/** The `sign` the platform expects for these form parameters. */
export function expectedJstSign(params: Record<string, string | undefined>, appSecret: string): string {
  return createHash('md5').update(Buffer.from(jstStringToSign(params, appSecret), 'utf8')).digest('hex');
}

/** True when `params.sign` is the signature of the other parameters under `appSecret` (case as sent: lower-case). */
export function verifyJstSign(params: Record<string, string | undefined>, appSecret: string): boolean {
  return typeof params.sign === 'string' && params.sign === expectedJstSign(params, appSecret);
}
