import { createLogger, SlidingWindowRateLimiter, withRetry, type Logger } from '@yecai/common';
import { parseJsonLossless, scalarText } from '@yecai/connector-kit/src/json';
import { resolveYonyouConnection, type ResolvedYonyouConnection } from './config';
import { DUPLICATE_CODES, errorFromEnvelope, THROTTLED_CODES, TOKEN_INVALID_CODES, YonyouError } from './errors';
import { tokenQuery } from './signing';

export interface YonyouClientDeps {
  logger?: Logger;
  /** Clock in ms (tests); defaults to Date.now. */
  now?: () => number;
  /** Observes every HTTP exchange (metrics): operation = API path or `token`/`lookup`, outcome = `http_<status>` or the error kind. */
  onCall?: (event: { operation: string; durationMs: number; outcome: string }) => void;
}

/** The outcome of an MDD single save: `saved` (first answer or its 1-hour replay) or `duplicate` (the key was used more than an hour ago). */
export type SaveOutcome =
  | { status: 'saved'; id: string; code: string; document: Record<string, unknown> }
  | { status: 'duplicate'; id: string };

/** One refused row of a batch/state action (answered `code 200` with `failCount > 0`). */
export interface RowFailure {
  id: string;
  message: string;
}

export interface BatchActionResult {
  successIds: string[];
  failures: RowFailure[];
}

export interface ListPage {
  recordCount: number;
  recordList: Record<string, unknown>[];
}

interface Gateway {
  gatewayUrl: string;
  tokenUrl: string;
}

interface CallMeta {
  path: string;
  /** The call may change data: no answer = indeterminate. */
  write: boolean;
}

/** Connection errors that prove the request never reached the server. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** `expire` above this is milliseconds (the Go SDK treats it so), at or below it seconds (the docs, the Python SDK). */
const LARGEST_EXPIRE_IN_SECONDS = 86_400;
/** Gateway addresses per (lookup host, tenant): a data centre does not move during a process's life. */
const GATEWAYS = new Map<string, Promise<Gateway>>();

/**
 * The one place in yecai that speaks the YonSuite (YonBIP 公有云) OpenAPI (yonyou-api.md §3): data-centre lookup
 * (cached per tenant), the self-built app's token (signed, refreshed before its 2 hours end and on 310036),
 * per-API rate limits, the envelopes (HTTP-200 failures, partial batch failures, 202, the MDD duplicate) mapped to
 * YonyouError levels, ids beyond 2^53 kept as exact text, retries through the project's `withRetry`.
 */
export class YonyouClient {
  readonly name: string;
  readonly #connection: ResolvedYonyouConnection;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly onCall: YonyouClientDeps['onCall'];
  private readonly limiters = new Map<string, SlidingWindowRateLimiter>();
  #token: { value: string; refreshAt: number } | undefined;
  private tokenInFlight: Promise<string> | undefined;

  constructor(connection: ResolvedYonyouConnection, deps: YonyouClientDeps = {}) {
    this.#connection = connection;
    this.name = connection.name;
    this.logger =
      deps.logger ?? createLogger('yonyou-client', { connection: connection.name, tenantId: connection.tenantId });
    this.now = deps.now ?? Date.now;
    this.onCall = deps.onCall;
  }

  static fromConfig(input: unknown, deps: YonyouClientDeps = {}, source?: string): YonyouClient {
    return new YonyouClient(resolveYonyouConnection(input, source), deps);
  }

  /** Forgets cached gateway addresses (tests that restart an emulator on another port). */
  static clearGatewayCache(): void {
    GATEWAYS.clear();
  }

  // ---------------------------------------------------------------- operations

  /**
   * MDD single save (`…/single/save`, body `{"data":{…}}`): `resubmitCheckKey` (≤ 32 chars) makes a repeat within
   * an hour replay the first success and a later repeat answer the duplicate code with the id. Repeats after 202
   * (still processing) and throttling use the same key, so they are safe; a lost answer is not repeated here —
   * it throws `indeterminate` and the caller resolves it by querying the document's business key.
   */
  async save(path: string, data: Record<string, unknown>, resubmitCheckKey: string): Promise<SaveOutcome> {
    if (resubmitCheckKey.length === 0 || resubmitCheckKey.length > 32)
      throw new YonyouError(`resubmitCheckKey must be 1–32 characters, got ${resubmitCheckKey.length}`, {
        kind: 'protocol',
        apiCode: 'BAD_REQUEST',
        path,
        field: 'resubmitCheckKey',
      });
    const envelope = await this.call(
      'POST',
      path,
      { data: { ...data, resubmitCheckKey } },
      { write: true, acceptDuplicate: true },
    );
    const body = asRecord(envelope.data);
    const id = scalarText(body.id);
    if (!id) throw badAnswer(path, 'a save answered without data.id');
    if (DUPLICATE_CODES.has(envelope.code)) return { status: 'duplicate', id };
    return { status: 'saved', id, code: scalarText(body.code) ?? '', document: body };
  }

  /** A write that is not MDD-idempotent (transfers' storeout/save, updates): never repeated after it was sent. */
  async write(path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    return normaliseIds(asRecord((await this.call('POST', path, body, { write: true })).data));
  }

  /**
   * A state action over several documents (`batchaudit`, `batchunaudit`, `batchsubmit`): `code 200` even when some
   * rows fail, so the per-row failures (`failInfos`) are returned, never thrown. Whole-call failures throw.
   */
  async batchAction(path: string, ids: string[]): Promise<BatchActionResult> {
    const envelope = await this.call('POST', path, { data: ids.map((id) => ({ id: rawId(id) })) }, { write: true });
    const data = asRecord(envelope.data);
    const failures = asArray(data.failInfos).map((one) => {
      const row = asRecord(one);
      return { id: scalarText(row.id) ?? '', message: String(row.message ?? row.msg ?? '') };
    });
    const failed = new Set(failures.map((failure) => failure.id));
    return { successIds: ids.filter((id) => !failed.has(id)), failures };
  }

  /**
   * A call whose answer is not the documents' shape (master data: `data` an array, or batch counts; yonyou-api.md
   * §3.5.9): the envelope's code (`200`, or the MDD duplicate when `acceptDuplicate`) and its `data`, ids as exact
   * text in the records it holds. `write`: no answer means indeterminate, never repeated here.
   */
  async post(
    path: string,
    body: Record<string, unknown>,
    options: { write: boolean; acceptDuplicate?: boolean },
  ): Promise<{ code: string; data: unknown }> {
    const { code, data } = await this.call('POST', path, body, options);
    const exact = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(exact)
        : value && typeof value === 'object' && !('rawJSON' in value)
          ? Object.fromEntries(Object.entries(normaliseIds(asRecord(value))).map(([key, item]) => [key, exact(item)]))
          : value;
    return { code, data: exact(data) };
  }

  /** A list query (`…/list`): one page; `recordList` rows keep ids as exact text. */
  async list(path: string, body: Record<string, unknown>): Promise<ListPage> {
    const data = asRecord((await this.call('POST', path, body, { write: false })).data);
    return {
      recordCount: Number(scalarText(data.recordCount) ?? 0),
      recordList: asArray(data.recordList).map((row) => normaliseIds(asRecord(row))),
    };
  }

  /** A GET detail (`…/detail?id=`). */
  async detail(path: string, id: string): Promise<Record<string, unknown>> {
    return normaliseIds(asRecord((await this.call('GET', path, undefined, { write: false, query: { id } })).data));
  }

  /** One cheap authenticated call telling an operator whether the connection works: lookup, token, one list row. */
  async check(path = '/yonbip/scm/salesout/list'): Promise<{ ok: true; gatewayUrl: string }> {
    const gateway = await this.gateway();
    await this.list(path, { pageIndex: 1, pageSize: 1, isSum: true });
    return { ok: true, gatewayUrl: gateway.gatewayUrl };
  }

  // ---------------------------------------------------------------- plumbing

  private async call(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    options: { write: boolean; acceptDuplicate?: boolean; query?: Record<string, string> },
  ): Promise<{ code: string; data: unknown }> {
    const { retry, inProgressDelayMs } = this.#connection;
    return withRetry(
      async () => {
        for (let attempt = 1; ; attempt++) {
          const answer = await this.exchange(method, path, body, options);
          if (answer.tokenInvalid && attempt === 1) {
            this.logger.info({ path }, 'YonSuite token refused (310036); fetching a new one and retrying once');
            this.#token = undefined;
            continue;
          }
          if (answer.tokenInvalid) throw errorFromEnvelope('310036', '非法token (twice in a row)', path, options.write);
          const { code, message } = answer;
          if (code === '200' || (options.acceptDuplicate && DUPLICATE_CODES.has(code)))
            return { code, data: answer.data };
          throw errorFromEnvelope(code, message, path, options.write);
        }
      },
      {
        maxAttempts: retry.maxAttempts,
        initialDelayMs: retry.initialDelayMs,
        maxDelayMs: retry.maxDelayMs,
        shouldRetry: (error) => error instanceof YonyouError && error.retriable,
        onRetry: (error, attempt) => {
          const kind = (error as YonyouError).kind;
          if (kind === 'throttled') this.limiterOf(path).block(this.#connection.limits.throttledPauseMs);
          if (kind === 'in_progress') this.limiterOf(path).block(inProgressDelayMs);
          this.logger.warn({ path, attempt, err: (error as Error).message }, 'retrying YonSuite call');
        },
      },
    );
  }

  /** One HTTP exchange of a business call: limiter, token, transport errors, envelope parsing. */
  private async exchange(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    options: { write: boolean; query?: Record<string, string> },
  ): Promise<{ code: string; message: string; data: unknown; tokenInvalid: boolean }> {
    const [gateway, token] = await Promise.all([this.gateway(), this.token()]);
    const url = new URL(`${gateway.gatewayUrl}${path}`);
    url.searchParams.set('access_token', token);
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    const text = await this.limiterOf(path).run(() =>
      this.http(
        url,
        {
          method,
          headers: { 'Content-Type': 'application/json;charset=UTF-8' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        },
        { path, write: options.write },
      ),
    );
    if (text.trim() === '非法token')
      return { code: '310036', message: '非法token', data: undefined, tokenInvalid: true };
    const envelope = this.envelopeOf(text, { path, write: options.write });
    const code = envelope.code;
    if (THROTTLED_CODES.has(code)) this.logger.warn({ path, code }, 'YonSuite throttled the call');
    return { code, message: envelope.message, data: envelope.data, tokenInvalid: TOKEN_INVALID_CODES.has(code) };
  }

  /** The data centre of the tenant: configured, or looked up once per process and tenant. */
  private gateway(): Promise<Gateway> {
    const { gatewayUrl, tokenUrl, lookupUrl, tenantId } = this.#connection;
    if (gatewayUrl && tokenUrl)
      return Promise.resolve({ gatewayUrl: trimSlash(gatewayUrl), tokenUrl: trimSlash(tokenUrl) });
    const key = `${lookupUrl}|${tenantId}`;
    let cached = GATEWAYS.get(key);
    if (!cached) {
      cached = this.lookupGateway().catch((error: unknown) => {
        GATEWAYS.delete(key); // a failed lookup is asked again next time
        throw error;
      });
      GATEWAYS.set(key, cached);
    }
    return cached;
  }

  private async lookupGateway(): Promise<Gateway> {
    const { lookupUrl, tenantId, retry } = this.#connection;
    const url = new URL(`${trimSlash(lookupUrl)}/open-auth/dataCenter/getGatewayAddress`);
    url.searchParams.set('tenantId', tenantId);
    const path = '/open-auth/dataCenter/getGatewayAddress';
    const envelope = await withRetry(
      async () =>
        this.envelopeOf(await this.http(url, { method: 'GET' }, { path, write: false }), { path, write: false }),
      { ...retry, shouldRetry: (error) => error instanceof YonyouError && error.retriable },
    );
    const data = asRecord(envelope.data);
    if (envelope.code !== '00000' || typeof data.gatewayUrl !== 'string' || typeof data.tokenUrl !== 'string') {
      throw new YonyouError(
        `YonSuite data-centre lookup for tenant ${tenantId}: code ${envelope.code} ${envelope.message}`,
        {
          kind: 'auth',
          apiCode: envelope.code || 'LOOKUP',
          path,
          field: 'tenantId',
          userMessage: `用友租户ID无法解析到数据中心 YonSuite could not find the data centre of tenant ${tenantId}: ${envelope.message}`,
        },
      );
    }
    return { gatewayUrl: trimSlash(data.gatewayUrl), tokenUrl: trimSlash(data.tokenUrl) };
  }

  /** The access token, fetched when missing or past `tokenRefreshRatio` of its life (one fetch for concurrent callers). */
  private async token(): Promise<string> {
    if (this.#token && this.now() < this.#token.refreshAt) return this.#token.value;
    this.tokenInFlight ??= this.fetchToken().finally(() => (this.tokenInFlight = undefined));
    return this.tokenInFlight;
  }

  private async fetchToken(): Promise<string> {
    const { appKey, appSecret, retry, tokenRefreshRatio } = this.#connection;
    const { tokenUrl } = await this.gateway();
    const path = '/open-auth/selfAppAuth/base/v1/getAccessToken';
    const envelope = await withRetry(
      async () => {
        const url = new URL(`${tokenUrl}${path}`);
        // Signed with the time of this attempt: a retry must not reuse a stale timestamp.
        for (const [name, value] of Object.entries(tokenQuery(appKey, appSecret, this.now())))
          url.searchParams.set(name, value);
        return this.envelopeOf(await this.http(url, { method: 'GET' }, { path, write: false }), { path, write: false });
      },
      { ...retry, shouldRetry: (error) => error instanceof YonyouError && error.retriable },
    );
    const data = asRecord(envelope.data);
    const value = data.access_token;
    if (envelope.code !== '00000' || typeof value !== 'string' || value === '') {
      throw new YonyouError(`YonSuite token refused: code ${envelope.code} ${envelope.message}`, {
        kind: 'auth',
        apiCode: envelope.code || 'TOKEN',
        path,
        field: 'appKey',
        userMessage: `用友获取access_token失败 YonSuite refused the token request (${envelope.code} ${envelope.message}): check tenantId, appKey, appSecret and the server clock`,
      });
    }
    const expire = Number(scalarText(data.expire) ?? 7200);
    const lifeMs = expire > LARGEST_EXPIRE_IN_SECONDS ? expire : expire * 1000;
    this.#token = { value, refreshAt: this.now() + lifeMs * tokenRefreshRatio };
    this.logger.info({ lifeSeconds: Math.round(lifeMs / 1000) }, 'YonSuite access token obtained');
    return value;
  }

  private limiterOf(path: string): SlidingWindowRateLimiter {
    let limiter = this.limiters.get(path);
    if (!limiter) {
      const { callsPerMinute, perApi } = this.#connection.limits;
      // 1 s of margin: the gateway counts a call when it arrives, later than the client started it. With 50 ms, a burst
      // of 600 calls at load 9 had one call counted as the 601st of the gateway's minute (310046; yonyou-sink-bench).
      limiter = new SlidingWindowRateLimiter([{ limit: perApi[path] ?? callsPerMinute, windowMs: 60_000 }], 1_000);
      this.limiters.set(path, limiter);
    }
    return limiter;
  }

  /** One HTTP exchange; transport failures and non-200 statuses become YonyouErrors. */
  private async http(url: URL, init: RequestInit, meta: CallMeta): Promise<string> {
    const started = this.now();
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.#connection.timeoutMs) });
      text = await response.text();
    } catch (error) {
      const mapped = this.transportError(error, meta);
      this.onCall?.({ operation: meta.path, durationMs: this.now() - started, outcome: mapped.kind });
      throw mapped;
    }
    this.onCall?.({ operation: meta.path, durationMs: this.now() - started, outcome: `http_${response.status}` });
    if (response.status === 200) return text;
    const parsed = tryParse(text);
    const code = scalarText(parsed?.code);
    if (response.status === 404 && code === '310404') {
      return Promise.reject(
        new YonyouError(`YonSuite ${meta.path}: path not registered on the gateway (310404)`, {
          kind: 'auth',
          apiCode: '310404',
          path: meta.path,
          userMessage: `用友网关没有注册此API YonSuite gateway does not know ${meta.path} (310404): check the API path for this tenant`,
        }),
      );
    }
    // 500/502/504 may come after the backend took the request: a write may have been applied.
    if (meta.write && (response.status === 500 || response.status === 502 || response.status === 504)) {
      throw new YonyouError(
        `YonSuite ${meta.path}: HTTP ${response.status} after the request was sent — outcome unknown`,
        {
          kind: 'indeterminate',
          apiCode: `HTTP_${response.status}`,
          path: meta.path,
          userMessage: `用友未确认写入结果（HTTP ${response.status}），需查询核对 YonSuite did not confirm the write; reconcile by query`,
        },
      );
    }
    throw new YonyouError(`YonSuite ${meta.path}: HTTP ${response.status} ${text.slice(0, 200)}`, {
      kind: 'unavailable',
      apiCode: `HTTP_${response.status}`,
      path: meta.path,
      userMessage: `用友服务不可用（HTTP ${response.status}） YonSuite unavailable (HTTP ${response.status})`,
    });
  }

  private envelopeOf(text: string, meta: CallMeta): { code: string; message: string; data: unknown } {
    const parsed = tryParse(text);
    const code = scalarText(parsed?.code);
    if (!parsed || code === undefined) {
      if (meta.write)
        throw new YonyouError(
          `YonSuite ${meta.path}: answer is not the JSON envelope after a write — outcome unknown: ${text.slice(0, 200)}`,
          { kind: 'indeterminate', apiCode: 'BAD_ANSWER', path: meta.path },
        );
      throw badAnswer(meta.path, `answer is not the JSON envelope: ${text.slice(0, 200)}`);
    }
    return { code, message: String(parsed.message ?? ''), data: parsed.data };
  }

  private transportError(error: unknown, meta: CallMeta): YonyouError {
    const cause = (error as { cause?: { code?: string } }).cause;
    const code = cause?.code ?? (error as { code?: string }).code;
    const base = { path: meta.path, cause: error };
    if (code && NOT_SENT_CODES.has(code)) {
      return new YonyouError(`YonSuite ${meta.path}: cannot connect (${code})`, {
        ...base,
        kind: 'unavailable',
        apiCode: 'UNREACHABLE',
        userMessage: `无法连接用友服务器 Cannot reach YonSuite (${code})`,
      });
    }
    const isTimeout = (error as { name?: string }).name === 'TimeoutError';
    const what = isTimeout
      ? `no answer within ${this.#connection.timeoutMs} ms`
      : `connection lost (${code ?? (error as Error).message})`;
    if (meta.write) {
      return new YonyouError(`YonSuite ${meta.path}: ${what} — outcome unknown, query before resending`, {
        ...base,
        kind: 'indeterminate',
        apiCode: 'NO_ANSWER',
        userMessage: `用友写入结果未知（${isTimeout ? '超时' : '连接中断'}），需查询核对 YonSuite write outcome unknown; reconcile by query`,
      });
    }
    return new YonyouError(`YonSuite ${meta.path}: ${what}`, {
      ...base,
      kind: 'unavailable',
      apiCode: isTimeout ? 'TIMEOUT' : 'CONNECTION',
    });
  }
}

function tryParse(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = parseJsonLossless(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function badAnswer(path: string, what: string): YonyouError {
  return new YonyouError(`YonSuite ${path}: malformed answer — ${what}`, {
    kind: 'protocol',
    apiCode: 'BAD_ANSWER',
    path,
    userMessage: `用友返回格式异常 YonSuite answer malformed: ${what}`,
  });
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Id-like fields (`id`, `…_id`, `…Id`) as exact text: YonSuite ids exceed 2^53. */
function normaliseIds(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [
      key,
      /(^id$|_id$|Id$)/.test(key) && value !== null && typeof value === 'object' && !Array.isArray(value)
        ? (scalarText(value) ?? value)
        : value,
    ]),
  );
}

/** An id written back as the JSON number YonSuite sent (a numeric id stays a number, exactly). */
function rawId(id: string): unknown {
  return /^\d+$/.test(id) ? (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(id) : id;
}
