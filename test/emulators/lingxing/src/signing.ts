/**
 * The emulator's own 领星 signature check — written from the open-API documentation (签名规则), never imported from
 * the connector (a signing bug in the connector must fail a test, not be mirrored here).
 *
 * sign = base64(AES-128-ECB(key = appId, PKCS7)(upper(md5("k1=v1&k2=v2…")))) over the public query parameters
 * (access_token, app_key, timestamp) and every business parameter (query or JSON body), keys sorted by ASCII,
 * values that are "" or null left out, objects and arrays as compact JSON.
 */
import { createCipheriv, createHash, timingSafeEqual } from 'node:crypto';

export type SignParams = Record<string, unknown>;

function valueText(value: unknown, sortNested: boolean): string {
  if (typeof value === 'object' && value !== null) return JSON.stringify(sortNested ? sortedDeep(value) : value);
  return String(value);
}

/** Nested keys sorted: the PyPI client `lingxingapi` serialises nested values with sorted keys. */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedDeep((value as Record<string, unknown>)[key])]),
  );
}

export function stringToSign(params: SignParams, sortNested = false): string {
  return Object.keys(params)
    .filter((key) => key !== 'sign' && params[key] !== '' && params[key] !== null && params[key] !== undefined)
    .sort()
    .map((key) => `${key}=${valueText(params[key], sortNested)}`)
    .join('&');
}

/** The sign the documentation defines; `appId` must be 16 bytes (AES-128). */
export function expectedSign(appId: string, params: SignParams, sortNested = false): string {
  const md5 = createHash('md5').update(stringToSign(params, sortNested), 'utf8').digest('hex').toUpperCase();
  const cipher = createCipheriv('aes-128-ecb', Buffer.from(appId, 'utf8'), null);
  return Buffer.concat([cipher.update(md5, 'utf8'), cipher.final()]).toString('base64');
}

/**
 * The sign as the client meant it: clients URL-encode it once (`%2B`), some twice, and form decoding turns an
 * unencoded `+` into a space. Base64 has no `%` and no space, so both are undone without ambiguity.
 */
export function normaliseSign(given: string): string {
  let sign = given;
  for (let round = 0; round < 2 && sign.includes('%'); round++) {
    try {
      sign = decodeURIComponent(sign);
    } catch {
      break;
    }
  }
  return sign.replace(/ /g, '+');
}

const equalText = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** True when `given` signs `params` (nested values in the order received, or key-sorted as lingxingapi sends them). */
export function signatureMatches(appId: string, params: SignParams, given: unknown): boolean {
  if (typeof given !== 'string' || given === '' || Buffer.byteLength(appId) !== 16) return false;
  const sign = normaliseSign(given);
  return equalText(sign, expectedSign(appId, params)) || equalText(sign, expectedSign(appId, params, true));
}
