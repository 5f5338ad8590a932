/**
 * 领星 transport: one signed call, the envelope, the vendor's codes mapped once into yecai errors, token
 * refresh, `check()`. No retries, sleeps or rate limits here: the kit does those for every source alike.
 */
import { YecaiError, formatBeijingTime, type Logger } from '@yecai/common';
import {
  SourceThrottledError,
  SourceUnavailableError,
  postForJson,
  type CheckResult,
  type PageRequest,
  type PageResult,
  type SourceTransport,
  type StreamDefinition,
} from '@yecai/connector-kit';
import { lingxingSign } from './signing';

const SYSTEM = { code: 'LINGXING', label: '领星 / Lingxing' };

export interface LingxingTransportOptions {
  baseUrl: string;
  appKey: string;
  appSecret: string;
  accessToken: string;
  refreshToken?: string;
  timeoutMs: number;
  throttleBackoffMs: number;
  logger: Logger;
}

/** Codes that are not ours to retry: credentials, permissions, our own parameters. */
const CODES: Record<number, { code: string; level: 1 | 3; zh: string; en: string }> = {
  1001: { code: 'LINGXING_SIGN_INVALID', level: 3, zh: '签名无效：请核对 appKey 与 appSecret', en: 'invalid signature: check appKey and appSecret' },
  1002: { code: 'LINGXING_TOKEN_INVALID', level: 3, zh: 'access token 无效且无法刷新：请重新授权', en: 'access token invalid and not refreshable: authorise again' },
  1004: { code: 'LINGXING_BAD_REQUEST', level: 1, zh: '请求参数错误', en: 'request rejected: bad parameters' },
  1005: { code: 'LINGXING_TIMESTAMP_INVALID', level: 3, zh: '时间戳无效：请校准服务器时钟', en: 'timestamp rejected: check the server clock' },
};

interface Envelope {
  code: number;
  msg?: string;
  data: unknown;
}

export class LingxingTransport implements SourceTransport {
  readonly system = 'lingxing';
  private accessToken: string;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly options: LingxingTransportOptions) {
    this.accessToken = options.accessToken;
  }

  async fetchPage(stream: StreamDefinition, request: PageRequest): Promise<PageResult> {
    if (request.kind !== 'window') throw new YecaiError(`${stream.name}: 领星 has no token cursor`, { code: 'VALIDATION', level: 1, retriable: false, field: 'cursor' });
    const data = await this.call(stream.endpoint, {
      page_index: request.pageIndex,
      page_size: request.pageSize,
      modified_begin: formatBeijingTime(request.fromMs),
      modified_end: formatBeijingTime(request.toMs),
      ...stream.params,
    });
    const page = (data ?? {}) as { records?: unknown; page_count?: unknown; page_index?: unknown };
    if (!Array.isArray(page.records) || page.records.some((record) => typeof record !== 'object' || record === null))
      throw new YecaiError(`LINGXING ${stream.endpoint}: data.records is not a list of objects`, { code: 'LINGXING_BAD_RESPONSE', level: 1, retriable: false, field: 'data.records' });
    const pageCount = Number(page.page_count);
    return {
      records: page.records as Record<string, unknown>[],
      hasNext: Number.isInteger(pageCount) && request.pageIndex < pageCount,
      ...(Number.isInteger(pageCount) && pageCount >= 0 ? { pageCount } : {}),
    };
  }

  async check(): Promise<CheckResult> {
    const now = Date.now();
    try {
      await this.call('/api/sales_outstock/query', { page_index: 1, page_size: 1, modified_begin: formatBeijingTime(now - 3_600_000), modified_end: formatBeijingTime(now) });
      return { ok: true, message: '领星账号可用 / Lingxing account works' };
    } catch (error) {
      if (error instanceof YecaiError) return { ok: false, code: error.code, message: error.userMessage };
      return { ok: false, code: 'UNKNOWN', message: `领星连接失败 / cannot reach Lingxing: ${String(error)}` };
    }
  }

  /** One signed business call; an expired token is refreshed once (serialised across concurrent callers). */
  private async call(path: string, biz: Record<string, unknown>, refreshed = false): Promise<unknown> {
    const token = this.accessToken;
    const envelope = await this.post(path, { access_token: token, biz: JSON.stringify(biz) });
    if (envelope.code === 1002 && !refreshed && this.options.refreshToken) {
      if (this.accessToken === token) await this.refresh();
      return this.call(path, biz, true);
    }
    return this.unwrap(path, envelope);
  }

  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      const envelope = await this.post('/api/token/refresh', { refresh_token: this.options.refreshToken! });
      const data = this.unwrap('/api/token/refresh', envelope) as { access_token?: unknown };
      if (typeof data?.access_token !== 'string') throw new SourceUnavailableError('LINGXING token refresh: no access_token', { code: 'LINGXING_BAD_RESPONSE' });
      this.accessToken = data.access_token;
      this.options.logger.info('access token refreshed');
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async post(path: string, fields: Record<string, string>): Promise<Envelope> {
    const body: Record<string, string | number> = { app_key: this.options.appKey, timestamp: Math.floor(Date.now() / 1000), ...fields };
    body.sign = lingxingSign(this.options.appSecret, body);
    const parsed = await postForJson(SYSTEM, path, `${this.options.baseUrl}${path}`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: this.options.timeoutMs,
    });
    const envelope = parsed as Partial<Envelope> | null;
    if (typeof envelope?.code !== 'number') throw new SourceUnavailableError(`LINGXING ${path}: answer without a code`, { code: 'LINGXING_BAD_RESPONSE' });
    return envelope as Envelope;
  }

  private unwrap(path: string, envelope: Envelope): unknown {
    if (envelope.code === 0) return envelope.data;
    if (envelope.code === 1003)
      throw new SourceThrottledError(`LINGXING ${path}: throttled`, this.options.throttleBackoffMs, {
        code: 'LINGXING_THROTTLED',
        userMessage: '领星限流，稍后自动重试 / Lingxing throttled the call, retrying',
      });
    const known = CODES[envelope.code];
    throw new YecaiError(`LINGXING ${path}: code ${envelope.code} ${envelope.msg ?? ''}`, {
      code: known?.code ?? `LINGXING_CODE_${envelope.code}`,
      level: known?.level ?? 3,
      retriable: false,
      userMessage: known ? `${known.zh} / ${known.en}` : `领星返回错误 ${envelope.code} / Lingxing error ${envelope.code}: ${envelope.msg ?? ''}`,
    });
  }
}
