/**
 * 赛狐 (SellFox) transport (source-apis.md §5): the client-credentials token, one signed call, the envelope, the
 * vendor's codes mapped once into yecai errors, `check()`. No retries, sleeps or rate limits here: the kit does those
 * for every source alike (40019 becomes SourceThrottledError; the per-endpoint budget is the kit's limiter).
 */
import { randomInt } from 'node:crypto';
import { YecaiError, formatBeijingTime, type Logger } from '@yecai/common';
import {
  SourceThrottledError,
  SourceUnavailableError,
  postForJson,
  scalarText,
  type CallBudget,
  type CheckResult,
  type PageRequest,
  type PageResult,
  type SourceTransport,
  type StreamDefinition,
} from '@yecai/connector-kit';
import { saihuSign } from './signing';
import { saihuDeclaration } from './streams';

const SYSTEM = { code: 'SAIHU', label: '赛狐 / Saihu' };
const TOKEN_PATH = '/api/oauth/v2/token.json';
/** A token is renewed this long before its announced expiry. */
const TOKEN_MARGIN_MS = 5 * 60_000;
export const SAIHU_TOKEN_INVALID = 40001;
export const SAIHU_THROTTLED = 40019;

export interface SaihuTransportOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Prefix of the signed `url` ('' signs the request path, '/openapi' the doc example's form). */
  signedUrlPrefix: string;
  settlementCurrency: string;
  settlementShopIds?: string[] | undefined;
  timeoutMs: number;
  throttleBackoffMs: number;
  logger: Logger;
}

/**
 * Codes other than 40001/40019. 赛狐 publishes no full table (source-apis.md §5.3); these are the emulator's answers
 * for the documented failures. Any other code is a business error about our request (level 1).
 */
const CODES: Record<number, { code: string; level: 1 | 3; zh: string; en: string }> = {
  40002: {
    code: 'SAIHU_SIGN_INVALID',
    level: 3,
    zh: '签名无效：请核对 client_secret 与 signedUrlPrefix',
    en: 'invalid signature: check client_secret and signedUrlPrefix',
  },
  40003: {
    code: 'SAIHU_TIMESTAMP_INVALID',
    level: 3,
    zh: '时间戳无效：请校准服务器时钟',
    en: 'timestamp rejected: check the server clock',
  },
  40004: { code: 'SAIHU_BAD_REQUEST', level: 1, zh: '请求参数错误', en: 'request rejected: bad parameters' },
  40005: {
    code: 'SAIHU_CLIENT_INVALID',
    level: 3,
    zh: 'client_id 或 client_secret 错误：请核对开放平台应用',
    en: 'client_id or client_secret rejected: check the open-API app',
  },
};

interface Envelope {
  code: number;
  msg: string;
  data: unknown;
}

/** A string-typed non-negative integer (`"3"`, or a number) read exactly; errors name the field. */
export function saihuCount(value: unknown, field: string): number {
  const text = scalarText(value);
  if (text === undefined || !/^\d{1,15}$/.test(text))
    throw new YecaiError(`SAIHU: ${field} is not a whole number: ${String(text)}`, {
      code: 'SAIHU_BAD_RESPONSE',
      level: 1,
      retriable: false,
      field,
    });
  return Number(text);
}

export class SaihuTransport implements SourceTransport {
  readonly system = 'saihu';
  private token: { value: string; expiresAtMs: number } | undefined;
  private fetchingToken: Promise<string> | undefined;

  constructor(private readonly options: SaihuTransportOptions) {}

  async fetchPage(stream: StreamDefinition, request: PageRequest, budget?: CallBudget): Promise<PageResult> {
    if (request.kind !== 'window')
      throw new YecaiError(`${stream.name}: 赛狐 has no token cursor`, {
        code: 'VALIDATION',
        level: 1,
        retriable: false,
        field: 'cursor',
      });
    const declaration = saihuDeclaration(stream.name);
    const body: Record<string, unknown> = {
      pageNo: String(request.pageIndex),
      pageSize: String(request.pageSize),
      ...stream.params,
    };
    if (declaration.window) {
      body[declaration.window.start] = formatBeijingTime(request.fromMs);
      body[declaration.window.end] = formatBeijingTime(request.toMs);
    }
    if (stream.name === 'settlement_detail') {
      body.currency = this.options.settlementCurrency;
      if (this.options.settlementShopIds) body.shopIdList = this.options.settlementShopIds;
    }
    const data = (await this.call(stream.endpoint, body)) as Record<string, unknown> | null;
    const rows = data?.[declaration.rowsKey] ?? [];
    if (!Array.isArray(rows) || rows.some((record) => typeof record !== 'object' || record === null))
      throw new YecaiError(`SAIHU ${stream.endpoint}: data.${declaration.rowsKey} is not a list of objects`, {
        code: 'SAIHU_BAD_RESPONSE',
        level: 1,
        retriable: false,
        field: `data.${declaration.rowsKey}`,
      });
    const pageCount = saihuCount(data?.totalPage ?? '0', 'data.totalPage');
    const records = rows as Record<string, unknown>[];
    return {
      records: stream.name === 'settlement' ? await this.withSettlementRows(records, budget) : records,
      hasNext: request.pageIndex < pageCount,
      pageCount,
    };
  }

  /**
   * A paid-out settlement (结算汇总 with a transferTime) gets all its detail rows (`rows`, read by settlementId in the
   * settlement's own currency, soft-deleted rows left out, sorted by row id so a re-read publishes the same content):
   * one receipt writes off every order it pays, and shop fees are allocated over its sales. A settlement not yet paid
   * out is published as the summary alone; mapping waits for the payout.
   */
  private async withSettlementRows(
    summaries: Record<string, unknown>[],
    budget: CallBudget | undefined,
  ): Promise<Record<string, unknown>[]> {
    const detail = saihuDeclaration('settlement_detail');
    const result: Record<string, unknown>[] = [];
    for (const summary of summaries) {
      if (!scalarText(summary.transferTime)) {
        result.push(summary);
        continue;
      }
      const rows: Record<string, unknown>[] = [];
      let pageCount = 1;
      let total = 0;
      for (let pageNo = 1; pageNo <= pageCount; pageNo += 1) {
        // The detail endpoint's own budget (1 request/s, shared with the settlement_detail lane).
        await budget?.acquire(detail.path);
        const data = (await this.call(detail.path, {
          pageNo: String(pageNo),
          pageSize: '100',
          settlementId: summary.settlementId,
          currency: summary.currency,
        })) as Record<string, unknown> | null;
        const page = data?.[detail.rowsKey] ?? [];
        if (!Array.isArray(page))
          throw new YecaiError(`SAIHU ${detail.path}: data.${detail.rowsKey} is not a list`, {
            code: 'SAIHU_BAD_RESPONSE',
            level: 1,
            retriable: false,
            field: `data.${detail.rowsKey}`,
          });
        rows.push(...(page as Record<string, unknown>[]));
        pageCount = saihuCount(data?.totalPage ?? '0', 'data.totalPage');
        total = saihuCount(data?.totalSize ?? String(rows.length), 'data.totalSize');
      }
      // Rows added or deleted while paging shift the pages: read the settlement again rather than publish part of it.
      if (rows.length !== total)
        throw new SourceUnavailableError(
          `SAIHU ${detail.path}: settlement ${String(summary.settlementId)} changed while read`,
          {
            code: 'SAIHU_SETTLEMENT_CHANGED',
            userMessage: `赛狐结算 ${String(summary.settlementId)} 读取中有变化，自动重读 / settlement changed while read, re-reading`,
          },
        );
      rows.sort((a, b) => String(a.id).localeCompare(String(b.id)));
      result.push({ ...summary, rows });
    }
    return result;
  }

  async check(): Promise<CheckResult> {
    try {
      await this.call(saihuDeclaration('shop').path, { pageNo: '1', pageSize: '1' });
      return { ok: true, message: '赛狐账号可用 / Saihu account works' };
    } catch (error) {
      if (error instanceof YecaiError) return { ok: false, code: error.code, message: error.userMessage };
      return { ok: false, code: 'UNKNOWN', message: `赛狐连接失败 / cannot reach Saihu: ${String(error)}` };
    }
  }

  /** The token before the first calls (the kit calls this once), so no lane's first call waits for it. */
  async prepare(): Promise<void> {
    await this.accessToken().catch((error: unknown) =>
      this.options.logger.warn(
        { err: String(error) },
        'token fetch before the first calls failed; the first call retries',
      ),
    );
  }

  /** One signed business call; 40001 (token invalidated early) gets a new token and one retry. */
  private async call(path: string, body: Record<string, unknown>, retried = false): Promise<unknown> {
    const token = await this.accessToken();
    const envelope = await this.request(path, 'POST', this.signedQuery(path, token), JSON.stringify(body));
    if (envelope.code === SAIHU_TOKEN_INVALID && !retried) {
      if (this.token?.value === token) this.token = undefined;
      this.options.logger.info({ path }, 'access token invalidated by the platform, fetching a new one');
      return this.call(path, body, true);
    }
    return this.unwrap(path, envelope);
  }

  private signedQuery(path: string, token: string): URLSearchParams {
    const timestamp = String(Date.now());
    const nonce = String(randomInt(1, 2 ** 31 - 1));
    const { clientId, clientSecret, signedUrlPrefix } = this.options;
    const sign = saihuSign(clientSecret, {
      accessToken: token,
      clientId,
      nonce,
      timestamp,
      url: `${signedUrlPrefix}${path}`,
    });
    return new URLSearchParams({ access_token: token, client_id: clientId, timestamp, nonce, sign });
  }

  /** The current token; one fetch at a time. Calling the endpoint within validity returns the same token. */
  private accessToken(): Promise<string> {
    if (this.token && this.token.expiresAtMs - TOKEN_MARGIN_MS > Date.now()) return Promise.resolve(this.token.value);
    this.fetchingToken ??= (async () => {
      const query = new URLSearchParams({
        client_id: this.options.clientId,
        client_secret: this.options.clientSecret,
        grant_type: 'client_credentials',
      });
      const data = this.unwrap(TOKEN_PATH, await this.request(TOKEN_PATH, 'GET', query)) as {
        access_token?: unknown;
        expires_in?: unknown;
      } | null;
      if (typeof data?.access_token !== 'string' || data.access_token === '')
        throw new SourceUnavailableError('SAIHU token: no access_token in the answer', { code: 'SAIHU_BAD_RESPONSE' });
      // expires_in is in milliseconds (24 h), not seconds.
      this.token = {
        value: data.access_token,
        expiresAtMs: Date.now() + saihuCount(data.expires_in, 'data.expires_in'),
      };
      this.options.logger.info('access token fetched');
      return data.access_token;
    })().finally(() => (this.fetchingToken = undefined));
    return this.fetchingToken;
  }

  private async request(
    path: string,
    method: 'GET' | 'POST',
    query: URLSearchParams,
    body?: string,
  ): Promise<Envelope> {
    const parsed = await postForJson(SYSTEM, path, `${this.options.baseUrl}${path}?${query}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined ? { body } : {}),
      timeoutMs: this.options.timeoutMs,
      answerStatuses: [400], // 40019 sometimes comes with HTTP 400
    });
    const envelope = parsed as { code?: unknown; msg?: unknown; data?: unknown } | null;
    const code = scalarText(envelope?.code);
    if (code === undefined || !/^-?\d+$/.test(code))
      throw new SourceUnavailableError(`SAIHU ${path}: answer without a code`, { code: 'SAIHU_BAD_RESPONSE' });
    return { code: Number(code), msg: typeof envelope?.msg === 'string' ? envelope.msg : '', data: envelope?.data };
  }

  private unwrap(path: string, envelope: Envelope): unknown {
    if (envelope.code === 0) return envelope.data;
    if (envelope.code === SAIHU_THROTTLED)
      throw new SourceThrottledError(`SAIHU ${path}: 40019 ${envelope.msg}`, this.options.throttleBackoffMs, {
        code: 'SAIHU_THROTTLED',
        userMessage:
          '赛狐限流（每接口每秒 1 次），稍后自动重试 / Saihu throttled the call (1 request/s per endpoint), retrying',
      });
    if (envelope.code === SAIHU_TOKEN_INVALID)
      throw new YecaiError(`SAIHU ${path}: 40001 twice in a row`, {
        code: 'SAIHU_TOKEN_INVALID',
        level: 3,
        retriable: true,
        userMessage:
          '赛狐 access token 连续失效，自动重试；持续出现请检查开放平台应用 / Saihu rejected a fresh token, retrying; if it persists check the open-API app',
      });
    const known = CODES[envelope.code];
    throw new YecaiError(`SAIHU ${path}: code ${envelope.code} ${envelope.msg}`, {
      code: known?.code ?? `SAIHU_CODE_${envelope.code}`,
      level: known?.level ?? 1,
      retriable: false,
      userMessage: known
        ? `${known.zh} / ${known.en}`
        : `赛狐返回业务错误 ${envelope.code}：${envelope.msg} / Saihu refused the request (code ${envelope.code})`,
    });
  }
}
