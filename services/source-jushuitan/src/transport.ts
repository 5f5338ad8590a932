import { YecaiError, createLogger, formatBeijingTime, type Logger } from '@yecai/common';
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
import { jstSign } from './signing';

const JST_SYSTEM = { code: 'JST', label: '聚水潭 / JST' };

export interface JstTokens {
  accessToken: string;
  refreshToken?: string;
}

/** Where rotated tokens live between restarts (a refresh revokes the previous pair). */
export interface JstTokenStore {
  load(): Promise<JstTokens | undefined>;
  save(tokens: JstTokens): Promise<void>;
}

export interface JstTransportOptions {
  baseUrl: string;
  appKey: string;
  appSecret: string;
  tokens: JstTokens;
  tokenStore?: JstTokenStore;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** How long to stay away after 199 (per second) and 200 (per minute) — documented: ≥ 1 s and ≥ 60 s. */
  throttleBackoff?: { perSecondMs: number; perMinuteMs: number };
  logger?: Logger;
}

interface JstEnvelope {
  code: number;
  msg?: string;
  data: unknown;
}

/** JST codes (source-apis.md §2.4) mapped once into yecai errors. */
const JST_CODES: Record<number, { code: string; retriable: boolean; zh: string; en: string }> = {
  10: {
    code: 'JST_SIGN_INVALID',
    retriable: false,
    zh: '签名无效：请核对 app_key 与 app_secret',
    en: 'invalid signature: check app_key and app_secret',
  },
  100: {
    code: 'JST_TOKEN_INVALID',
    retriable: false,
    zh: 'access_token 无效或过期，且无法刷新：请重新授权',
    en: 'access token invalid or expired and could not be refreshed: authorise again',
  },
  110: {
    code: 'JST_IP_NOT_WHITELISTED',
    retriable: false,
    zh: '服务器 IP 不在聚水潭白名单中',
    en: 'server IP is not on the JST whitelist',
  },
  140: {
    code: 'JST_TIMESTAMP_INVALID',
    retriable: false,
    zh: '时间戳无效：请校准服务器时钟',
    en: 'timestamp rejected: check the server clock',
  },
  150: {
    code: 'JST_REFRESH_NOT_ALLOWED',
    retriable: false,
    zh: 'ISV 应用不允许刷新 token：请重新授权',
    en: 'ISV apps may not refresh tokens: authorise again',
  },
  190: {
    code: 'JST_NO_PERMISSION',
    retriable: false,
    zh: '应用无此接口权限：请在聚水潭开放平台申请',
    en: 'the app is not authorised for this API',
  },
};

export class JushuitanTransport implements SourceTransport {
  readonly system = 'jushuitan';
  private tokens: JstTokens;
  private tokensLoaded = false;
  private refreshing: Promise<void> | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: JstTransportOptions) {
    this.tokens = { ...options.tokens };
    this.logger = options.logger ?? createLogger('source-jushuitan.transport', { appKey: options.appKey });
  }

  async fetchPage(stream: StreamDefinition, request: PageRequest): Promise<PageResult> {
    const biz: Record<string, unknown> =
      request.kind === 'window'
        ? {
            page_index: request.pageIndex,
            page_size: request.pageSize,
            modified_begin: formatBeijingTime(request.fromMs),
            modified_end: formatBeijingTime(request.toMs),
          }
        : { page_index: 1, page_size: request.pageSize, start_ts: request.startToken, is_get_total: false };
    if (stream.statusFilter !== undefined) biz.status = stream.statusFilter;
    Object.assign(biz, stream.params);
    const data = await this.call(stream.endpoint, biz);
    if (typeof data !== 'object' || data === null) {
      throw new SourceUnavailableError(`JST ${stream.endpoint}: response without data`, { code: 'JST_BAD_RESPONSE' });
    }
    const page = data as { datas?: unknown; has_next?: unknown; page_count?: unknown };
    const records = page.datas ?? [];
    if (!Array.isArray(records) || records.some((record) => typeof record !== 'object' || record === null)) {
      throw new YecaiError(`JST ${stream.endpoint}: data.datas is not a list of objects`, {
        code: 'JST_BAD_RESPONSE',
        level: 1,
        retriable: false,
        field: 'data.datas',
      });
    }
    const pageCount = Number(page.page_count);
    return {
      records: records as Record<string, unknown>[],
      hasNext: page.has_next === true,
      ...(Number.isInteger(pageCount) && pageCount > 0 ? { pageCount } : {}),
    };
  }

  /** Reads one row of the last hour's sales out-stock: proves app key, secret, token and permission at once. */
  async check(): Promise<CheckResult> {
    const now = Date.now();
    try {
      await this.call('/open/orders/out/simple/query', {
        page_index: 1,
        page_size: 1,
        modified_begin: formatBeijingTime(now - 3600_000),
        modified_end: formatBeijingTime(now),
      });
      return { ok: true, message: '聚水潭账号可用 / Jushuitan account works' };
    } catch (error) {
      if (error instanceof YecaiError) return { ok: false, code: error.code, message: error.userMessage };
      return { ok: false, code: 'UNKNOWN', message: `聚水潭连接失败 / cannot reach Jushuitan: ${String(error)}` };
    }
  }

  /** One signed business call; an expired token is refreshed once (serialised across concurrent callers). */
  async call(path: string, biz: Record<string, unknown>): Promise<unknown> {
    await this.loadStoredTokens();
    const usedToken = this.tokens.accessToken;
    const envelope = await this.post(path, {
      app_key: this.options.appKey,
      access_token: usedToken,
      timestamp: String(Math.floor(Date.now() / 1000)),
      charset: 'utf-8',
      version: '2',
      biz: JSON.stringify(biz),
    });
    if (envelope.code === 100 && this.tokens.refreshToken) {
      if (this.tokens.accessToken === usedToken) {
        this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
        await this.refreshing;
      }
      return this.call(path, biz);
    }
    return this.unwrap(path, envelope);
  }

  private unwrap(path: string, envelope: JstEnvelope): unknown {
    if (envelope.code === 0) return envelope.data;
    const backoff = this.options.throttleBackoff ?? { perSecondMs: 1000, perMinuteMs: 60_000 };
    if (envelope.code === 199 || envelope.code === 200) {
      const perSecond = envelope.code === 199;
      return this.raise(
        new SourceThrottledError(
          `JST ${path}: throttled (${envelope.code} ${envelope.msg ?? ''})`,
          perSecond ? backoff.perSecondMs : backoff.perMinuteMs,
          {
            code: perSecond ? 'JST_THROTTLED_SECOND' : 'JST_THROTTLED_MINUTE',
            userMessage: `聚水潭限流（${envelope.msg ?? envelope.code}），稍后自动重试 / JST rate limit, retrying later`,
          },
        ),
      );
    }
    const known = JST_CODES[envelope.code];
    if (known) {
      return this.raise(
        new YecaiError(`JST ${path}: code ${envelope.code} ${envelope.msg ?? ''}`, {
          code: known.code,
          level: 3,
          retriable: known.retriable,
          userMessage: `${known.zh}（聚水潭: ${envelope.msg ?? envelope.code}）/ ${known.en}`,
        }),
      );
    }
    // Business errors (bad window, bad parameter): our request is wrong; retrying cannot help.
    return this.raise(
      new YecaiError(`JST ${path}: code ${envelope.code} ${envelope.msg ?? ''}`, {
        code: `JST_BUSINESS_${envelope.code}`,
        level: 1,
        retriable: false,
        userMessage: `聚水潭拒绝了请求：${envelope.msg ?? ''} / JST rejected the request (code ${envelope.code})`,
      }),
    );
  }

  private raise(error: YecaiError): never {
    throw error;
  }

  private async refresh(): Promise<void> {
    const envelope = await this.post('/openWeb/auth/refreshToken', {
      app_key: this.options.appKey,
      timestamp: String(Math.floor(Date.now() / 1000)),
      grant_type: 'refresh_token',
      refresh_token: this.tokens.refreshToken ?? '',
      scope: 'all',
      charset: 'utf-8',
    });
    const data = this.unwrap('/openWeb/auth/refreshToken', envelope) as {
      access_token?: unknown;
      refresh_token?: unknown;
    } | null;
    if (!data || typeof data.access_token !== 'string' || data.access_token === '') {
      throw new YecaiError('JST refreshToken: response without access_token', {
        code: 'JST_BAD_RESPONSE',
        level: 3,
        retriable: false,
        field: 'data.access_token',
      });
    }
    this.tokens = {
      accessToken: data.access_token,
      refreshToken:
        typeof data.refresh_token === 'string' && data.refresh_token !== ''
          ? data.refresh_token
          : this.tokens.refreshToken,
    };
    this.logger.info('JST access token refreshed');
    await this.options.tokenStore?.save(this.tokens);
  }

  private async loadStoredTokens(): Promise<void> {
    if (this.tokensLoaded) return;
    this.tokensLoaded = true;
    const stored = await this.options.tokenStore?.load();
    if (stored) this.tokens = stored;
  }

  private async post(path: string, params: Record<string, string>): Promise<JstEnvelope> {
    const body = new URLSearchParams({ ...params, sign: jstSign(params, this.options.appSecret) });
    const envelope = await postForJson(JST_SYSTEM, path, this.options.baseUrl.replace(/\/$/, '') + path, {
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: body.toString(),
      timeoutMs: this.options.timeoutMs,
    });
    const code = (envelope as { code?: unknown } | null)?.code;
    if (typeof code !== 'number') {
      throw new SourceUnavailableError(`JST ${path}: response without a numeric code`, { code: 'JST_BAD_RESPONSE' });
    }
    return envelope as JstEnvelope;
  }
}
