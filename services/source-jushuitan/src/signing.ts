import { createHash } from 'node:crypto';

/**
 * JST open platform v2 signature (source-apis.md §2.2): every parameter except `sign`, keys in ASCII order,
 * empty values dropped, `key + value` concatenated, prefixed by the app secret, md5 lower-case hex.
 * The string-to-sign starts with the secret, so it is never logged.
 */
export function jstSign(params: Record<string, string | undefined>, appSecret: string): string {
  const body = Object.keys(params)
    .filter((key) => key !== 'sign')
    .filter((key) => params[key] !== undefined && params[key] !== '')
    .sort()
    .map((key) => `${key}${params[key]}`)
    .join('');
  return createHash('md5')
    .update(appSecret + body, 'utf8')
    .digest('hex');
}
