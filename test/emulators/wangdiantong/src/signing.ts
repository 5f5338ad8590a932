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

/** 奇门 (TOP) outer sign: md5(secret + Σ sorted(key+value) + secret) upper-case hex, over every param but `sign`. */
export function topSign(params: Record<string, string>, appSecret: string): string {
  const joined = Object.keys(params)
    .filter((key) => key !== 'sign')
    .sort()
    .map((key) => key + params[key]!)
    .join('');
  return md5(appSecret + joined + appSecret).toUpperCase();
}

/** TOP system params: signed by the outer sign only, never by the inner `wdt_sign`. */
const TOP_SYSTEM_PARAMS = new Set([
  'app_key',
  'timestamp',
  'v',
  'sign_method',
  'format',
  'sign',
  'session',
  'partner_id',
  'simplify',
  'target_app_key',
  'customer_id',
  'wdt3_customer_id',
  'wdt_sign',
]);

/**
 * 旗舰版 via 奇门 inner sign (source-apis §3.8): the WDT params (not TOP's own), `method` stripped of the customer
 * prefix, canonicalised recursively — JSON-looking strings parsed, object keys sorted, `key + canonical(value)`,
 * arrays concatenated, nulls skipped, booleans as true/false — then md5(secret + canonical + secret).
 */
export function qimenWdtSign(params: Record<string, string>, secret: string): string {
  const wdtParams: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (!TOP_SYSTEM_PARAMS.has(key)) wdtParams[key] = key === 'method' ? normaliseQimenMethod(value) : value;
  }
  return md5(secret + canonical(wdtParams) + secret);
}

/** `3ldsmu02o9.wdt.wms.stockspec.querychangehistory` → `wdt.wms.stockspec.querychangehistory`. */
export function normaliseQimenMethod(method: string): string {
  const at = method.indexOf('wdt.');
  return at > 0 ? method.slice(at) : method;
}

function canonical(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
      try {
        return canonical(JSON.parse(trimmed));
      } catch {
        return value;
      }
    }
    return value;
  }
  if (Array.isArray(value)) return value.map(canonical).join('');
  if (typeof value === 'object') {
    return Object.keys(value as Record<string, unknown>)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== null && (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => key + canonical((value as Record<string, unknown>)[key]))
      .join('');
  }
  return String(value);
}
