import { YecaiError, createLogger, formatBeijingTime, type Logger } from '@yecai/common';
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
import type { WdtCredentials } from './config';
import { wdtQjbSign, wdtQjbTimestamp, wdtQybSign } from './signing';
import { wdtDeclaration, type WdtEndpoint } from './streams';

const WDT_SYSTEM = { code: 'WDT', label: '旺店通 / WDT' };

export interface WdtTransportOptions {
  credentials: WdtCredentials;
  /** 企业版: the openapi2 base (scripts are appended); 旗舰版: the single endpoint. */
  baseUrl: string;
  timeoutMs?: number;
  /** Waits after the per-minute quota text and after the concurrency text (not published; tenants report ~1 min). */
  throttleBackoff?: { perMinuteMs: number; concurrencyMs: number };
  logger?: Logger;
  now?: () => number;
}

/** WDT's zero datetime: unset dates (expire_date, check_time …) are published as null (source-apis.md §1.3). */
const ZERO_DATES = new Set(['0000-00-00 00:00:00', '0000-00-00']);

/** Replaces zero dates with null everywhere in a record; every other value (numbers as text) is left as sent. */
export function nullZeroDates(value: unknown): unknown {
  if (typeof value === 'string') return ZERO_DATES.has(value) ? null : value;
  if (Array.isArray(value)) return value.map(nullZeroDates);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = nullZeroDates(item);
    return out;
  }
  return value; // raw JSON numbers (kept as their text) and primitives
}

export interface WdtAnswer {
  /** 0 = OK (企业版 `code`, 旗舰版 `status`). */
  code: number;
  message: string;
  /** The object holding the list and total_count (企业版: the envelope; 旗舰版: `data`). */
  body: Record<string, unknown>;
}

/** A credential or permission problem: the operator must change a setting; retrying cannot help. */
interface AuthProblem {
  code: string;
  zh: string;
  en: string;
}

/**
 * Auth and permission answers, recognised by their text (企业版 codes are not public; 旗舰版 status 1 covers
 * several causes). Each names the setting to fix.
 */
const AUTH_PROBLEMS: Array<{ pattern: RegExp; problem: AuthProblem }> = [
  {
    pattern: /签名|sign/i,
    problem: {
      code: 'WDT_SIGN_INVALID',
      zh: '签名错误：请核对 appKey 与 appSecret（旗舰版为 secret:salt）',
      en: 'bad signature: check appKey and appSecret (旗舰版: secret:salt)',
    },
  },
  {
    pattern: /卖家账号|sid/i,
    problem: {
      code: 'WDT_SID_INVALID',
      zh: '卖家账号 sid 不存在：请核对 sid',
      en: 'unknown seller account: check sid',
    },
  },
  {
    pattern: /appkey|key不存在/i,
    problem: {
      code: 'WDT_APPKEY_INVALID',
      zh: 'appkey 不存在或无权限：请核对 appKey',
      en: 'unknown or unauthorised app key: check appKey',
    },
  },
  {
    pattern: /timestamp|时间戳/i,
    problem: {
      code: 'WDT_TIMESTAMP_INVALID',
      zh: '时间戳超时：请校准服务器时钟',
      en: 'timestamp rejected: check the server clock',
    },
  },
  {
    pattern: /IP|白名单/,
    problem: { code: 'WDT_IP_NOT_ALLOWED', zh: '服务器 IP 不在旺店通白名单中', en: 'server IP is not whitelisted' },
  },
  {
    pattern: /无权限|接口不存在|未授权/,
    problem: {
      code: 'WDT_NO_PERMISSION',
      zh: '应用无此接口权限：请在旺店通开放平台申请，或核对 edition（企业版 qyb / 旗舰版 qjb）',
      en: 'the app may not call this API: request it, or check edition (qyb / qjb)',
    },
  },
];

export class WangdiantongTransport implements SourceTransport {
  readonly system = 'wangdiantong';
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(private readonly options: WdtTransportOptions) {
    this.logger =
      options.logger ??
      createLogger('source-wangdiantong.transport', {
        sid: options.credentials.sid,
        edition: options.credentials.edition,
      });
    this.now = options.now ?? Date.now;
  }

  get edition(): WdtCredentials['edition'] {
    return this.options.credentials.edition;
  }

  async fetchPage(stream: StreamDefinition, request: PageRequest): Promise<PageResult> {
    if (request.kind !== 'window') {
      throw new YecaiError(`WDT ${stream.name}: WDT has no token cursor`, {
        code: 'WDT_BAD_STREAM',
        level: 1,
        retriable: false,
      });
    }
    const endpoint = wdtDeclaration(stream.name)[this.edition];
    if (endpoint.maxWindowMs !== null && request.toMs - request.fromMs > endpoint.maxWindowMs) {
      throw new YecaiError(
        `WDT ${endpoint.api}: window of ${(request.toMs - request.fromMs) / 60_000} min exceeds the ${this.edition} limit`,
        { code: 'WDT_WINDOW_TOO_LONG', level: 1, retriable: false, field: 'windowMinutes' },
      );
    }
    const business: Record<string, string | number> = { ...endpoint.params };
    if (endpoint.maxWindowMs !== null) {
      business.start_time = formatBeijingTime(request.fromMs);
      business.end_time = formatBeijingTime(request.toMs);
    }
    const pageNo = request.pageIndex - 1; // the kit counts from 1, WDT from 0
    const answer = await this.call(endpoint, business, { pageNo, pageSize: request.pageSize });
    const list = answer.body[endpoint.listKey] ?? [];
    if (!Array.isArray(list) || list.some((record) => typeof record !== 'object' || record === null)) {
      throw new YecaiError(`WDT ${endpoint.api}: ${endpoint.listKey} is not a list of objects`, {
        code: 'WDT_BAD_RESPONSE',
        level: 1,
        retriable: false,
        field: endpoint.listKey,
      });
    }
    const records = list.map((record) => nullZeroDates(record) as Record<string, unknown>);
    if (pageNo === 0) {
      // total_count is computed on page 0 only (企业版) / when calc_total=1 (旗舰版): the page count comes from here.
      const total = Number(scalarText(answer.body.total_count));
      if (!Number.isSafeInteger(total) || total < 0) {
        throw new SourceUnavailableError(`WDT ${endpoint.api}: page 0 without total_count`, {
          code: 'WDT_BAD_RESPONSE',
        });
      }
      const pageCount = Math.max(1, Math.ceil(total / request.pageSize));
      return { records, hasNext: pageCount > 1, pageCount };
    }
    return { records, hasNext: records.length === request.pageSize };
  }

  /** Reads one warehouse: proves sid, app key, secret (and salt), clock and permission in one cheap call. */
  async check(): Promise<CheckResult> {
    const endpoint = wdtDeclaration('warehouse')[this.edition];
    const name = this.edition === 'qyb' ? '旺店通企业版' : '旺店通旗舰版';
    try {
      await this.call(endpoint, {}, { pageNo: 0, pageSize: 1 });
      return { ok: true, message: `${name}账号可用 / Wangdiantong (${this.edition}) account works` };
    } catch (error) {
      if (error instanceof YecaiError) return { ok: false, code: error.code, message: error.userMessage };
      return { ok: false, code: 'UNKNOWN', message: `${name}连接失败 / cannot reach Wangdiantong: ${String(error)}` };
    }
  }

  /** One signed call; errors are classified once, here. */
  async call(
    endpoint: Pick<WdtEndpoint, 'api'>,
    business: Record<string, string | number>,
    pager: { pageNo: number; pageSize: number } | null,
  ): Promise<WdtAnswer> {
    const answer = await this.send(endpoint, business, pager);
    if (answer.code === 0) return answer;
    return this.raise(this.classify(endpoint.api, answer));
  }

  /**
   * One signed call, its answer as WDT gave it (a non-zero code is returned, not thrown): for a writer that must tell
   * its own answers (a duplicate outer number, an unknown warehouse) from the ones `classify` knows. HTTP, network
   * and JSON failures still throw (SourceUnavailableError, level 3). `pager` null: a call that takes none (a push).
   */
  async send(
    endpoint: Pick<WdtEndpoint, 'api'>,
    business: Record<string, string | number>,
    pager: { pageNo: number; pageSize: number } | null,
  ): Promise<WdtAnswer> {
    return this.edition === 'qyb' ? this.postQyb(endpoint, business, pager) : this.postQjb(endpoint, business, pager);
  }

  /** A non-zero answer as an error: throttling and server trouble level 3 (retried), credentials level 3, the rest level 1. */
  classify(api: string, answer: WdtAnswer): YecaiError {
    const { code, message } = answer;
    const what = `WDT ${api}: ${this.edition === 'qyb' ? 'code' : 'status'} ${code} ${message}`;
    const backoff = this.options.throttleBackoff ?? { perMinuteMs: 60_000, concurrencyMs: 2_000 };
    if (/频率|并发|稍后重试/.test(message)) {
      const concurrency = message.includes('并发');
      return new SourceThrottledError(what, concurrency ? backoff.concurrencyMs : backoff.perMinuteMs, {
        code: concurrency ? 'WDT_THROTTLED_CONCURRENCY' : 'WDT_THROTTLED_MINUTE',
        userMessage: `旺店通限流（${message}），稍后自动重试 / WDT rate limit, retrying later`,
      });
    }
    // 旗舰版 4/5 数据库错误 and 99 其它 are the server's trouble: retry.
    if (this.edition === 'qjb' && (code === 4 || code === 5 || code === 99)) {
      return new SourceUnavailableError(what, {
        code: `WDT_STATUS_${code}`,
        userMessage: `旺店通服务端错误（${message}），自动重试 / WDT server error, retrying`,
      });
    }
    // Parameter texts are our request's fault even under 旗舰版 status 1 ("参数错误：缺少…").
    const parameterError = /缺少|参数|格式|范围|不能大于|不能为空|必须/.test(message) && !/签名/.test(message);
    const authStatus = this.edition === 'qjb' ? [1, 3, 6, 7, 8].includes(code) : true;
    const auth = !parameterError && authStatus ? AUTH_PROBLEMS.find((entry) => entry.pattern.test(message)) : undefined;
    if (auth || (this.edition === 'qjb' && [3, 6, 7, 8].includes(code))) {
      const problem = auth?.problem ?? {
        code: `WDT_STATUS_${code}`,
        zh: '旺店通拒绝了账号配置',
        en: 'WDT refused the account settings',
      };
      return new YecaiError(what, {
        code: problem.code,
        level: 3,
        retriable: false,
        userMessage: `${problem.zh}（旺店通: ${message}）/ ${problem.en}`,
      });
    }
    return new YecaiError(what, {
      code: `WDT_BUSINESS_${code}`,
      level: 1,
      retriable: false,
      userMessage: `旺店通拒绝了请求：${message} / WDT rejected the request (${code})`,
    });
  }

  private raise(error: YecaiError): never {
    throw error;
  }

  private async postQyb(
    endpoint: Pick<WdtEndpoint, 'api'>,
    business: Record<string, string | number>,
    pager: { pageNo: number; pageSize: number } | null,
  ): Promise<WdtAnswer> {
    const credentials = this.options.credentials;
    if (credentials.edition !== 'qyb') throw new Error('unreachable');
    const params: Record<string, string> = {
      sid: credentials.sid,
      appkey: credentials.appKey,
      timestamp: String(Math.floor(this.now() / 1000)),
      ...(pager ? { page_no: String(pager.pageNo), page_size: String(pager.pageSize) } : {}),
    };
    for (const [key, value] of Object.entries(business)) params[key] = String(value);
    params.sign = wdtQybSign(params, credentials.appSecret);
    const url = `${this.options.baseUrl.replace(/\/$/, '')}/${endpoint.api}`;
    const envelope = await this.post(endpoint.api, url, {
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: new URLSearchParams(params).toString(),
    });
    const code = Number(scalarText(envelope.code));
    if (!Number.isInteger(code)) {
      throw new SourceUnavailableError(`WDT ${endpoint.api}: response without a numeric code`, {
        code: 'WDT_BAD_RESPONSE',
      });
    }
    return { code, message: String(scalarText(envelope.message) ?? ''), body: envelope };
  }

  private async postQjb(
    endpoint: Pick<WdtEndpoint, 'api'>,
    business: Record<string, string | number>,
    pager: { pageNo: number; pageSize: number } | null,
  ): Promise<WdtAnswer> {
    const credentials = this.options.credentials;
    if (credentials.edition !== 'qjb') throw new Error('unreachable');
    const body = JSON.stringify([business]);
    const query: Record<string, string> = {
      sid: credentials.sid,
      key: credentials.appKey,
      salt: credentials.salt,
      method: endpoint.api,
      v: '1.0',
      timestamp: wdtQjbTimestamp(this.now()),
      ...(pager
        ? { page_size: String(pager.pageSize), page_no: String(pager.pageNo), ...(pager.pageNo === 0 ? { calc_total: '1' } : {}) }
        : {}),
    };
    query.sign = wdtQjbSign(query, body, credentials.secret);
    const url = `${this.options.baseUrl}?${new URLSearchParams(query).toString()}`;
    const envelope = await this.post(endpoint.api, url, {
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body,
    });
    const status = Number(scalarText(envelope.status));
    if (!Number.isInteger(status)) {
      throw new SourceUnavailableError(`WDT ${endpoint.api}: response without a numeric status`, {
        code: 'WDT_BAD_RESPONSE',
      });
    }
    const data = envelope.data;
    return {
      code: status,
      message: String(scalarText(envelope.message) ?? ''),
      body: data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {},
    };
  }

  private async post(api: string, url: string, init: { headers: Record<string, string>; body: string }) {
    const envelope = await postForJson(WDT_SYSTEM, api, url, { ...init, timeoutMs: this.options.timeoutMs });
    if (envelope === null || typeof envelope !== 'object' || Array.isArray(envelope)) {
      throw new SourceUnavailableError(`WDT ${api}: response is not a JSON object`, { code: 'WDT_BAD_RESPONSE' });
    }
    this.logger.trace({ api }, 'WDT call answered');
    return envelope as Record<string, unknown>;
  }
}
