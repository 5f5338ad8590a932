import { createHash } from 'node:crypto';

/** Length in Unicode code points — what WDT's PHP (`iconv_strlen`) and Java demos count, not UTF-8 bytes. */
function characters(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function pad(length: number, width: number): string {
  return String(length).padStart(width, '0');
}

/**
 * 旺店通 企业版 (qyb, openapi2) signature (source-apis.md §3.1): every parameter except `sign`, keys ascending,
 * each pair as `LL-key:VVVV-value` (key length 2 digits, value length 4 digits, counted in CHARACTERS),
 * joined with `;`, the appsecret appended, md5 lower-case hex. The string-to-sign ends with the secret: never log it.
 */
export function wdtQybSign(params: Record<string, string>, appSecret: string): string {
  const text = Object.keys(params)
    .filter((key) => key !== 'sign')
    .sort()
    .map((key) => {
      const value = params[key]!;
      return `${pad(characters(key), 2)}-${key}:${pad(characters(value), 4)}-${value}`;
    })
    .join(';');
  return createHash('md5')
    .update(text + appSecret, 'utf8')
    .digest('hex');
}

/**
 * 旺店通 旗舰版 (qjb, v3 openapi) signature (source-apis.md §3.4): the query parameters except `sign` plus the
 * pseudo-parameter `body` (the exact JSON body text, signed but not sent), keys ascending, `key + value`
 * concatenated, wrapped in the secret (the part of `appsecret` before `:`) on both sides, md5 lower-case hex.
 */
export function wdtQjbSign(query: Record<string, string>, body: string, secret: string): string {
  const params: Record<string, string> = { ...query, body };
  const text = Object.keys(params)
    .filter((key) => key !== 'sign')
    .sort()
    .map((key) => `${key}${params[key]}`)
    .join('');
  return createHash('md5')
    .update(secret + text + secret, 'utf8')
    .digest('hex');
}

/** 旗舰版 timestamps count seconds from 2012-01-01 00:00:00 Beijing time (unix 1325347200). */
export const WDT_QJB_EPOCH_SECONDS = 1_325_347_200;

export function wdtQjbTimestamp(nowMs: number): string {
  return String(Math.floor(nowMs / 1000) - WDT_QJB_EPOCH_SECONDS);
}

/** The vendor hands out the 旗舰版 appsecret as `secret:salt`; the secret signs, the salt is sent. */
export function splitQjbAppSecret(appSecret: string): { secret: string; salt: string } {
  const index = appSecret.indexOf(':');
  if (index <= 0 || index === appSecret.length - 1) {
    throw new Error('旗舰版 appsecret must look like "secret:salt"');
  }
  return { secret: appSecret.slice(0, index), salt: appSecret.slice(index + 1) };
}
