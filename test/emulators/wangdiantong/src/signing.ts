import { createHash } from 'node:crypto';

/**
 * The emulator's own implementation of both WDT signatures (source-apis.md §3.1, §3.4). It is deliberately
 * independent of the source service's client, so the published vectors check the two against each other.
 */

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

/** Unicode code points, as PHP `iconv_strlen` and the official demos count (not UTF-8 bytes). */
const characters = (text: string): number => [...text].length;

/** 企业版 string to sign: sorted `LL-key:VVVV-value` pairs joined with `;` (lengths in characters). */
export function qybSignBase(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((key) => key !== 'sign')
    .sort()
    .map((key) => {
      const value = params[key]!;
      return `${String(characters(key)).padStart(2, '0')}-${key}:${String(characters(value)).padStart(4, '0')}-${value}`;
    })
    .join(';');
}

/** 企业版 sign: md5(base + appsecret), lower-case hex. */
export function qybSign(params: Record<string, string>, appSecret: string): string {
  return md5(qybSignBase(params) + appSecret);
}

/**
 * 旗舰版 sign: the query params except `sign`, plus the pseudo-param `body` (the exact JSON body), sorted by key,
 * concatenated as key+value, wrapped with the secret on both sides; md5 lower-case hex.
 */
export function qjbSign(query: Record<string, string>, body: string, secret: string): string {
  const params: Record<string, string> = { ...query, body };
  delete params.sign;
  const joined = Object.keys(params)
    .sort()
    .map((key) => key + params[key]!)
    .join('');
  return md5(secret + joined + secret);
}

/** 旗舰版 timestamps count seconds from 2012-01-01 00:00:00 Beijing time. */
export const QJB_EPOCH_S = 1_325_347_200;

export function qjbTimestamp(epochMs: number): number {
  return Math.floor(epochMs / 1000) - QJB_EPOCH_S;
}
