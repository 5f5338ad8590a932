/**
 * 领星 transport: tokens from the app credentials, one signed call per page, the envelope of each URL prefix,
 * the vendor's codes mapped once into yecai errors, the per-path concurrency buckets, `check()`. No retries,
 * sleeps or rate limits here (the kit does those for every source alike) — only the one repeat after a new token.
 */
import { YecaiError, formatBeijingTime, type Logger } from '@yecai/common';
import {
  SourceThrottledError,
  SourceUnavailableError,
  postForJson,
  scalarText,
  type CheckResult,
  type PageRequest,
  type PageResult,
  type SourceTransport,
  type StreamDefinition,
} from '@yecai/connector-kit';
import { PathBuckets } from './buckets';
import { lingxingSign } from './signing';
import { RATE_KEY_FIELDS, SETTLEMENT_KEY_FIELDS, lingxingEndpoint, type LingxingEndpoint } from './streams';

const SYSTEM = { code: 'LINGXING', label: '领星 / LingXing' };
const ACCESS_TOKEN_PATH = '/api/auth-server/oauth/access-token';
const REFRESH_TOKEN_PATH = '/api/auth-server/oauth/refresh';
/** A token is renewed this long before LingXing's stated expiry (7199 s), so no call carries a dying token. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

export interface LingxingTransportOptions {
  baseUrl: string;
  appId: string;
  appSecret: string;
  timeoutMs: number;
  throttleBackoffMs: number;
  /** Concurrent calls per path beyond the documented capacities. */
  buckets?: Record<string, number>;
  logger: Logger;
  now?: () => number;
}

/** Answers that no retry can fix: the operator changes a setting, or our request is wrong (level 1). */
const FATAL: Record<string, { code: string; level: 1 | 3; zh: string; en: string }> = {
  '2001001': {
    code: 'LINGXING_APP_ID_INVALID',
    level: 3,
    zh: 'appId 不存在：请核对 appId',
    en: 'unknown appId: check appId',
  },
  '2001002': {
    code: 'LINGXING_APP_SECRET_INVALID',
    level: 3,
    zh: 'appSecret 错误：请核对 appSecret',
    en: 'wrong appSecret: check appSecret',
  },
  '2001004': {
    code: 'LINGXING_API_NOT_AUTHORISED',
    level: 3,
    zh: '应用未开通此接口：请在领星开放平台授权',
    en: 'the app may not call this API: enable it in the LingXing open platform',
  },
  '2001006': {
    code: 'LINGXING_SIGN_INVALID',
    level: 3,
    zh: '签名错误：请核对 appId（16 位，签名密钥）',
    en: 'signature rejected: check appId (16 characters, the signing key)',
  },
  '3001001': {
    code: 'LINGXING_PUBLIC_PARAM_MISSING',
    level: 1,
    zh: '缺少公共参数',
    en: 'a public parameter is missing',
  },
  '3001002': {
    code: 'LINGXING_IP_NOT_WHITELISTED',
    level: 3,
    zh: '服务器 IP 不在领星白名单中：请在开放平台添加',
    en: 'server IP is not whitelisted: add it in the LingXing open platform',
  },
  '0001001': {
    code: 'LINGXING_APP_SECRET_ENCODING',
    level: 3,
    zh: 'appSecret 解密失败：请核对 appSecret',
    en: 'appSecret could not be decrypted: check appSecret',
  },
  '102': { code: 'LINGXING_BAD_REQUEST', level: 1, zh: '请求参数不合法', en: 'request rejected: invalid parameters' },
  '400': { code: 'LINGXING_NO_SUCH_API', level: 1, zh: '接口不存在', en: 'no such API' },
};
/** Bucket empty (3001008) and the older gateway's rate limit (103). */
const THROTTLED = new Set(['3001008', '103']);
/** Token missing/expired, or issued for another app: get a new one and repeat the call once. */
const TOKEN_REFUSED = new Set(['2001003', '2001005']);
/** Refresh token expired or already used: fall back to a new token from the app credentials. */
const REFRESH_REFUSED = new Set(['2001008', '2001009']);
/** Retriable on LingXing's side: internal error (1), signature timestamp too old (2001007: slow call or clock). */
const TRANSIENT = new Set(['1', '2001007']);

type Envelope = Record<string, unknown>;
interface Token {
  access: string;
  refresh: string;
  expiresAtMs: number;
}

export class LingxingTransport implements SourceTransport {
  readonly system = 'lingxing';
  private token: Token | undefined;
  private renewing: Promise<void> | undefined;
  private readonly buckets: PathBuckets;
  private readonly now: () => number;

  constructor(private readonly options: LingxingTransportOptions) {
    this.now = options.now ?? Date.now;
    this.buckets = new PathBuckets((path) => options.buckets?.[path] ?? BUCKETS.get(path) ?? 1);
  }

  async fetchPage(stream: StreamDefinition, request: PageRequest): Promise<PageResult> {
    if (request.kind !== 'window')
      throw new YecaiError(`${stream.name}: 领星 has no token cursor`, {
        code: 'VALIDATION',
        level: 1,
        retriable: false,
        field: 'cursor',
      });
    const endpoint = lingxingEndpoint(stream.name);
    if (endpoint.window.format === 'month') return this.fetchMonths(stream, endpoint, request);
    const body = {
      ...endpoint.params,
      ...stream.params,
      ...windowParams(endpoint, request),
      ...pagingParams(endpoint, request),
    };
    const envelope = await this.call(stream.endpoint, body);
    const { rows, total } = listOf(endpoint, envelope, stream.endpoint);
    const records =
      stream.name === 'fee_settlement'
        ? rows.map(withSettlementKey)
        : endpoint.epochSecondsField
          ? rows.map((row) => withBeijingTime(row, endpoint.epochSecondsField!))
          : rows;
    const pageCount = Math.ceil(total / request.pageSize);
    return {
      records: stream.name === 'settlement' ? await this.withSettlementRows(records) : records,
      hasNext: request.pageIndex < pageCount,
      pageCount,
    };
  }

  /**
   * A Closed settlement (结算汇总) gets all its transaction rows (`rows`, by `settlementId`, in dedupe-key order so a
   * re-read publishes the same content): fees are allocated over a settlement's sales, which needs every row of it
   * together. An Open settlement is published as the summary alone; mapping waits for it to close.
   */
  private async withSettlementRows(summaries: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const detail = '/bd/sp/api/open/settlement/transaction/detail/list';
    const endpoint = lingxingEndpoint('fee_settlement');
    const result: Record<string, unknown>[] = [];
    for (const summary of summaries) {
      if (summary.processingStatus !== 'Closed') {
        result.push(summary);
        continue;
      }
      const rows: Record<string, unknown>[] = [];
      let total: number;
      do {
        const page = listOf(
          endpoint,
          await this.call(detail, { settlementId: summary.settlementId, offset: rows.length, length: 10_000 }),
          detail,
        );
        total = page.total;
        rows.push(...page.rows.map(withSettlementKey));
        if (page.rows.length === 0) break;
      } while (rows.length < total);
      // Rows added while paging shift the pages: read the settlement again rather than publish a partial one.
      if (rows.length !== total)
        throw new SourceUnavailableError(
          `LINGXING ${detail}: settlement ${String(summary.settlementId)} changed while read`,
          {
            code: 'LINGXING_SETTLEMENT_CHANGED',
            userMessage: `领星结算 ${String(summary.settlementId)} 读取中有变化，自动重读 / settlement changed while read, re-reading`,
          },
        );
      rows.sort((a, b) => String(a.dedupe_key).localeCompare(String(b.dedupe_key)));
      result.push({ ...summary, rows });
    }
    return result;
  }

  /** Small monthly tables (currency rates): every month the window touches, whole, as one page. */
  private async fetchMonths(
    stream: StreamDefinition,
    endpoint: LingxingEndpoint,
    request: { fromMs: number; toMs: number },
  ): Promise<PageResult> {
    const records: Record<string, unknown>[] = [];
    for (const month of monthsBetween(request.fromMs, request.toMs)) {
      const envelope = await this.call(stream.endpoint, {
        ...endpoint.params,
        ...stream.params,
        [endpoint.window.from]: month,
      });
      records.push(
        ...listOf(endpoint, envelope, stream.endpoint).rows.map((row) =>
          withKey(row, 'rate_key', RATE_KEY_FIELDS, '/'),
        ),
      );
    }
    return { records, hasNext: false, pageCount: 1 };
  }

  async check(): Promise<CheckResult> {
    try {
      await this.call('/erp/sc/data/local_inventory/warehouse', { offset: 0, length: 1 });
      return { ok: true, message: '领星账号可用 / LingXing account works' };
    } catch (error) {
      if (error instanceof YecaiError) return { ok: false, code: error.code, message: error.userMessage };
      return { ok: false, code: 'UNKNOWN', message: `领星连接失败 / cannot reach LingXing: ${String(error)}` };
    }
  }

  /**
   * One signed business call (also the sink's: sink-lingxing writes products with it); a refused token is renewed
   * once and the call repeated. Any code but success is thrown as its yecai error (raiseUnlessOk).
   */
  async call(path: string, body: Record<string, unknown>, repeated = false): Promise<Envelope> {
    const token = await this.accessToken();
    const envelope = await this.buckets.run(path, () => this.post(path, token, body));
    const code = codeOf(envelope);
    if (TOKEN_REFUSED.has(code) && !repeated) {
      this.options.logger.info({ path, code }, 'access token refused, renewing');
      await this.renew(token);
      return this.call(path, body, true);
    }
    this.raiseUnlessOk(path, envelope);
    return envelope;
  }

  private async post(path: string, accessToken: string, body: Record<string, unknown>): Promise<Envelope> {
    const query = {
      access_token: accessToken,
      app_key: this.options.appId,
      timestamp: String(Math.floor(this.now() / 1000)),
    };
    const sign = lingxingSign(this.options.appId, { ...query, ...body });
    const parsed = await postForJson(
      SYSTEM,
      path,
      `${this.options.baseUrl}${path}?${new URLSearchParams({ ...query, sign })}`,
      {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        timeoutMs: this.options.timeoutMs,
      },
    );
    return envelopeOf(parsed, path);
  }

  private async accessToken(): Promise<string> {
    if (!this.token || this.token.expiresAtMs <= this.now()) await this.renew(this.token?.access);
    return this.token!.access;
  }

  /** A new token unless another call already replaced `stale`; concurrent renewals share one. */
  private renew(stale: string | undefined): Promise<void> {
    if (this.token && this.token.access !== stale && this.token.expiresAtMs > this.now()) return Promise.resolve();
    this.renewing ??= (async () => {
      const refresh = this.token?.refresh;
      if (refresh) {
        const refreshed = await this.tokenCall(REFRESH_TOKEN_PATH, {
          appId: this.options.appId,
          refreshToken: refresh,
        });
        if (refreshed) return void (this.token = refreshed);
      }
      const issued = await this.tokenCall(ACCESS_TOKEN_PATH, {
        appId: this.options.appId,
        appSecret: this.options.appSecret,
      });
      if (!issued)
        throw new SourceUnavailableError('LINGXING access-token: refused', { code: 'LINGXING_TOKEN_REFUSED' });
      this.token = issued;
      this.options.logger.info('access token issued');
    })().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  /** The token endpoints (string code "200"); undefined when a refresh token is expired or spent. */
  private async tokenCall(path: string, fields: Record<string, string>): Promise<Token | undefined> {
    // The SDKs send the credentials as query parameters; URLSearchParams encodes a secret's + / =.
    const envelope = await this.buckets.run(path, async () =>
      envelopeOf(
        await postForJson(SYSTEM, path, `${this.options.baseUrl}${path}?${new URLSearchParams(fields)}`, {
          headers: {},
          body: '',
          timeoutMs: this.options.timeoutMs,
        }),
        path,
      ),
    );
    const code = codeOf(envelope);
    if (path === REFRESH_TOKEN_PATH && REFRESH_REFUSED.has(code)) return undefined;
    this.raiseUnlessOk(path, envelope);
    const data = envelope.data as { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown } | null;
    const seconds = Number(scalarText(data?.expires_in));
    if (typeof data?.access_token !== 'string' || typeof data.refresh_token !== 'string' || !Number.isFinite(seconds))
      throw new SourceUnavailableError(`LINGXING ${path}: no token in the answer`, { code: 'LINGXING_BAD_RESPONSE' });
    return {
      access: data.access_token,
      refresh: data.refresh_token,
      expiresAtMs: this.now() + seconds * 1000 - EXPIRY_MARGIN_MS,
    };
  }

  /** Every code but success becomes its error class, once, here. */
  private raiseUnlessOk(path: string, envelope: Envelope): void {
    const code = codeOf(envelope);
    if (code === '0' || code === '200') return;
    const text = scalarText(envelope.message) ?? scalarText(envelope.msg) ?? '';
    if (THROTTLED.has(code))
      throw new SourceThrottledError(`LINGXING ${path}: ${code} ${text}`, this.options.throttleBackoffMs, {
        code: 'LINGXING_THROTTLED',
        userMessage: '领星限流（并发令牌已用完），稍后自动重试 / LingXing throttled the call (bucket empty), retrying',
      });
    if (TRANSIENT.has(code) || TOKEN_REFUSED.has(code))
      throw new SourceUnavailableError(`LINGXING ${path}: ${code} ${text}`, {
        code:
          code === '2001007'
            ? 'LINGXING_SIGN_EXPIRED'
            : TOKEN_REFUSED.has(code)
              ? 'LINGXING_TOKEN_REFUSED'
              : 'LINGXING_INTERNAL',
        userMessage: `领星暂时无法处理（${code}），自动重试 / LingXing could not answer (${code}), retrying`,
      });
    const known = FATAL[code];
    throw new YecaiError(`LINGXING ${path}: code ${code} ${text}`, {
      code: known?.code ?? `LINGXING_CODE_${code}`,
      level: known?.level ?? 3,
      retriable: false,
      userMessage: known
        ? `${known.zh} / ${known.en}（${text}）`
        : `领星返回错误 ${code} / LingXing error ${code}: ${text}`,
    });
  }
}

/** Documented capacities above 1 (source-apis §4.6); every other path admits one call in flight. */
const BUCKETS = new Map<string, number>([
  ['/erp/sc/data/mws_report/allOrders', 10],
  ['/bd/profit/report/open/report/asin/list', 10],
  ['/cost/center/api/settlement/report', 3],
]);

function envelopeOf(parsed: unknown, path: string): Envelope {
  if (typeof parsed !== 'object' || parsed === null || scalarText((parsed as Envelope).code) === undefined)
    throw new SourceUnavailableError(`LINGXING ${path}: answer without a code`, { code: 'LINGXING_BAD_RESPONSE' });
  return parsed as Envelope;
}

/** `code` is a number on business answers (0) and a string on the gateway's ("200", "3001008"). */
const codeOf = (envelope: Envelope) => scalarText(envelope.code) ?? '';

function windowParams(
  endpoint: LingxingEndpoint,
  request: { fromMs: number; toMs: number },
): Record<string, string | number> {
  const { from, to, format, endExclusive } = endpoint.window;
  const text = (ms: number) =>
    format === 'unix'
      ? Math.floor(ms / 1000)
      : format === 'date'
        ? formatBeijingTime(ms).slice(0, 10)
        : formatBeijingTime(ms);
  return { [from]: text(request.fromMs), [to]: text(endExclusive ? request.toMs + 1000 : request.toMs) };
}

function pagingParams(
  endpoint: LingxingEndpoint,
  request: { pageIndex: number; pageSize: number },
): Record<string, number> {
  switch (endpoint.paging) {
    case 'offset_length':
      return { offset: (request.pageIndex - 1) * request.pageSize, length: request.pageSize };
    case 'page':
      return { page: request.pageIndex, page_size: request.pageSize };
    case 'offset_is_page':
      return { offset: request.pageIndex, length: request.pageSize };
  }
}

/** The rows and the window's total where the envelope family keeps them. */
function listOf(
  endpoint: LingxingEndpoint,
  envelope: Envelope,
  path: string,
): { rows: Record<string, unknown>[]; total: number } {
  const data = envelope.data as Record<string, unknown> | unknown[] | null | undefined;
  const [rows, total, where] =
    endpoint.envelope === 'erp'
      ? [data, envelope.total, 'data / total']
      : endpoint.envelope === 'erp_list'
        ? [
            (data as Record<string, unknown> | null)?.list,
            (data as Record<string, unknown> | null)?.total,
            'data.list / data.total',
          ]
        : [
            (data as Record<string, unknown> | null)?.records,
            (data as Record<string, unknown> | null)?.total,
            'data.records / data.total',
          ];
  const count = Number(scalarText(total));
  if (
    !Array.isArray(rows) ||
    rows.some((row) => typeof row !== 'object' || row === null) ||
    !Number.isInteger(count) ||
    count < 0
  )
    throw new YecaiError(`LINGXING ${path}: ${where} is not a list of objects with a total`, {
      code: 'LINGXING_BAD_RESPONSE',
      level: 1,
      retriable: false,
      field: where,
    });
  return { rows: rows as Record<string, unknown>[], total: count };
}

/**
 * Settlement rows: `uniqueKey` is re-issued between calls (documented), so it is left out — kept, it would make
 * every re-read a new version — and the row's identity is the composite `dedupe_key`.
 */
export function withSettlementKey(row: Record<string, unknown>): Record<string, unknown> {
  const { uniqueKey: _unstable, ...stable } = row;
  return withKey(stable, 'dedupe_key', SETTLEMENT_KEY_FIELDS, '|');
}

/**
 * A row whose time is unix seconds (products) gets `<field>_beijing` beside it, the same instant as Beijing time, for
 * the kit's cursor; the original stays as sent. A value that is not a number is left out, so the kit names the field.
 */
function withBeijingTime(row: Record<string, unknown>, field: string): Record<string, unknown> {
  const seconds = Number(scalarText(row[field]));
  return Number.isFinite(seconds) && seconds > 0
    ? { ...row, [`${field}_beijing`]: formatBeijingTime(seconds * 1000) }
    : row;
}

/** The row with an identity made of its `fields`' text, for rows the API gives no stable id. */
function withKey(
  row: Record<string, unknown>,
  name: string,
  fields: readonly string[],
  separator: string,
): Record<string, unknown> {
  return { ...row, [name]: fields.map((field) => scalarText(row[field]) ?? '').join(separator) };
}

/** The Beijing months (YYYY-MM) a window touches, in order. */
export function monthsBetween(fromMs: number, toMs: number): string[] {
  const monthIndex = (ms: number) => {
    const [year, month] = formatBeijingTime(ms).slice(0, 7).split('-').map(Number) as [number, number];
    return year * 12 + month - 1;
  };
  const months: string[] = [];
  for (let index = monthIndex(fromMs); index <= monthIndex(toMs); index++)
    months.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`);
  return months;
}
