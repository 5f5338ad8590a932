import express, { type Request, type Response } from 'express';
import { randomBytes } from 'node:crypto';
import { formatBeijingTime, parseBeijingTime } from '@yecai/common';
import {
  CallStats,
  CallWindow,
  FaultKnobs,
  answerGatewayFault,
  delay,
  dropConnection,
  sendGatewayError,
  listen,
  mountAdminCore,
  pageOf,
  type GatewayFaults,
} from '@yecai/emulator-kit';
import { verifyJstSign } from './signature';
import {
  JST_BUSINESS_ERROR_CODE,
  JST_DOCUMENT_TYPES,
  JST_ENDPOINTS,
  JST_ERRORS,
  JST_MAX_PAGE_SIZE,
  JST_MAX_WINDOW_MS,
  JST_PAGE_SIZE_TEXT,
  JST_TIMESTAMP_TOLERANCE_S,
  JST_WINDOW_TEXT,
  type JstDocumentType,
} from './endpoints';
import { prng } from './generator';
import { ExactDocumentError, JstDocumentStore, type SeedDocumentsOptions, type StoredDocument } from './store';
import { JST_GOODS_PATHS, JstGoodsStore, queryGoods, uploadGoods } from './goods';

export interface JstEmulatorAccount {
  appKey: string;
  appSecret: string;
  accessToken: string;
  refreshToken: string;
  /** Token lifetime reported as `expires_in` (seconds). */
  expiresInS?: number;
  /** ISV (third-party) apps may not refresh: code 150. */
  isv?: boolean;
}

/** Gateway faults (5xx, lost answers, throttle bursts as 199 / 200, latency) plus token expiry. */
export interface JstFaults extends GatewayFaults {
  /** After N more successful document queries, every current access token expires (code 100). */
  expireTokenAfterRequests?: number;
  /** The next N goods uploads are applied, then their answer is lost (the connection is cut): the writer cannot know. */
  lostAnswerNext?: number;
  /** Held before answering a goods upload that has been applied (a writer can be killed in between). */
  holdAnswerMs?: number;
  /** An outage: every API call answers HTTP 503 from the gateway; nothing is read or written. */
  down?: boolean;
}

export interface JstEmulatorOptions {
  port?: number;
  /** Listen address; 127.0.0.1 unless a container or pod needs 0.0.0.0. */
  host?: string;
  seed?: number;
  accounts?: JstEmulatorAccount[];
  /** Generated documents at start. */
  documents?: SeedDocumentsOptions;
  /** Server-side limits; defaults are the documented 5/s and 100/min per app. */
  rateLimits?: { perSecond: number; perMinute: number };
  faults?: JstFaults;
  /** Server clock (epoch ms); tests may freeze or shift it. */
  now?: () => number;
  /** IP whitelist of the app; calls from elsewhere get code 110. Absent = any address. */
  allowedIps?: string[];
}

export interface JstEmulator {
  url: string;
  port: number;
  store: JstDocumentStore;
  /** 商品 written through `itemsku/upload` (goods.ts). */
  goods: JstGoodsStore;
  accounts: JstEmulatorAccount[];
  setFaults(faults: JstFaults): void;
  /** Counters by outcome (`ok`, `199`, `502`, …) — what a test asserts about the traffic. */
  stats: Record<string, number>;
  close(): Promise<void>;
}

export const DEFAULT_ACCOUNT: JstEmulatorAccount = {
  appKey: 'ak_test',
  appSecret: 'sk_test',
  accessToken: 'at_test',
  refreshToken: 'rt_test',
  expiresInS: 30 * 86_400,
};

interface TokenState {
  appKey: string;
  expiresAtMs: number;
}

export function createJushuitanApp(options: JstEmulatorOptions = {}) {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now;
  const accounts = (options.accounts ?? [DEFAULT_ACCOUNT]).map((account) => ({ ...account }));
  const limits = options.rateLimits ?? { perSecond: 5, perMinute: 100 };
  const store = new JstDocumentStore(seed);
  const goods = new JstGoodsStore();
  if (options.documents) store.seedDocuments(options.documents);
  const faults = new FaultKnobs<JstFaults>(options.faults);
  const faultRandom = prng(seed ^ 0x5eed);
  const stats = new CallStats();
  const count = (key: string) => stats.count(key);

  const accessTokens = new Map<string, TokenState>();
  const refreshTokens = new Map<string, string>(); // refresh token → app key
  for (const account of accounts) {
    accessTokens.set(account.accessToken, {
      appKey: account.appKey,
      expiresAtMs: now() + (account.expiresInS ?? 30 * 86_400) * 1000,
    });
    refreshTokens.set(account.refreshToken, account.appKey);
  }
  const acceptedCalls = new CallWindow(60_000); // per app key, accepted calls only

  const reply = (res: Response, code: number, msg: string, data: unknown = null) => {
    count(code === 0 ? 'ok' : String(code));
    res.json({ code, msg, data });
  };

  /** Public-parameter checks shared by all calls: app, timestamp, sign. Returns the account or replies. */
  const authenticate = (req: Request, res: Response, required: string[]): JstEmulatorAccount | undefined => {
    const params = (req.body ?? {}) as Record<string, string>;
    for (const name of required) {
      if (typeof params[name] !== 'string' || params[name] === '') {
        reply(res, JST_BUSINESS_ERROR_CODE, `缺少参数${name}`);
        return undefined;
      }
    }
    const account = accounts.find((candidate) => candidate.appKey === params.app_key);
    if (options.allowedIps && !options.allowedIps.includes((req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''))) {
      reply(res, JST_ERRORS.ipNotAllowed.code, JST_ERRORS.ipNotAllowed.msg);
      return undefined;
    }
    if (!account || !verifyJstSign(params, account.appSecret)) {
      reply(res, JST_ERRORS.badSign.code, JST_ERRORS.badSign.msg);
      return undefined;
    }
    const timestamp = Number(params.timestamp);
    if (!Number.isInteger(timestamp) || Math.abs(now() / 1000 - timestamp) > JST_TIMESTAMP_TOLERANCE_S) {
      reply(res, JST_ERRORS.badTimestamp.code, JST_ERRORS.badTimestamp.msg);
      return undefined;
    }
    return account;
  };

  const issueTokens = (account: JstEmulatorAccount) => {
    const accessToken = `at_${randomBytes(12).toString('hex')}`;
    const refreshToken = `rt_${randomBytes(12).toString('hex')}`;
    const expiresIn = account.expiresInS ?? 30 * 86_400;
    accessTokens.set(accessToken, { appKey: account.appKey, expiresAtMs: now() + expiresIn * 1000 });
    refreshTokens.set(refreshToken, account.appKey);
    account.accessToken = accessToken;
    account.refreshToken = refreshToken;
    return { access_token: accessToken, expires_in: expiresIn, refresh_token: refreshToken, scope: 'all' };
  };

  const app = express();
  app.disable('x-powered-by');
  // An outage: every API call (not the control API) answers 503 from the gateway.
  app.use((req, res, next) => {
    if (!faults.current.down || req.path.startsWith('/__admin')) return next();
    count('down');
    sendGatewayError(res, 503, 'Service Unavailable');
  });
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));

  app.post('/openWeb/auth/getInitToken', (req, res) => {
    const account = authenticate(req, res, ['app_key', 'timestamp', 'grant_type', 'code', 'sign']);
    if (!account) return;
    if (req.body.grant_type !== 'authorization_code') return reply(res, JST_BUSINESS_ERROR_CODE, 'grant_type无效');
    reply(res, 0, '执行成功', issueTokens(account));
  });

  app.post('/openWeb/auth/refreshToken', (req, res) => {
    const account = authenticate(req, res, ['app_key', 'timestamp', 'grant_type', 'refresh_token', 'sign']);
    if (!account) return;
    if (account.isv) return reply(res, JST_ERRORS.refreshNotAllowed.code, JST_ERRORS.refreshNotAllowed.msg);
    if (req.body.grant_type !== 'refresh_token' || refreshTokens.get(req.body.refresh_token) !== account.appKey) {
      return reply(res, JST_ERRORS.badToken.code, JST_ERRORS.badToken.msg);
    }
    // Rotation: the old refresh token and the old access token stop working at once (the stricter reading).
    refreshTokens.delete(req.body.refresh_token);
    for (const [token, state] of accessTokens) if (state.appKey === account.appKey) accessTokens.delete(token);
    reply(res, 0, '执行成功', issueTokens(account));
  });

  /** What every business call passes: public parameters, token, throttling, gateway faults, latency. */
  const admit = async (req: Request, res: Response): Promise<boolean> => {
    const account = authenticate(req, res, ['app_key', 'access_token', 'timestamp', 'charset', 'version', 'biz', 'sign']);
    if (!account) return false;
    const token = accessTokens.get(req.body.access_token);
    if (!token || token.appKey !== account.appKey || token.expiresAtMs <= now()) {
      reply(res, JST_ERRORS.badToken.code, JST_ERRORS.badToken.msg);
      return false;
    }
    if (faults.take('throttleBurst')) {
      const error = (faults.current.throttleBurst ?? 0) % 2 === 0 ? JST_ERRORS.perSecond : JST_ERRORS.perMinute;
      reply(res, error.code, error.msg);
      return false;
    }
    const throttled = rateLimit(account.appKey);
    if (throttled) {
      reply(res, throttled.code, throttled.msg);
      return false;
    }
    if (answerGatewayFault(faults, res, faultRandom, stats)) return false;
    await delay(faults.current.latencyMs);
    return true;
  };

  const bizOf = (bizText: string): Record<string, unknown> | undefined => {
    try {
      const parsed: unknown = JSON.parse(bizText);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };

  // 商品 upload (upsert by sku_id) and query by sku_ids (goods.ts).
  app.post(JST_GOODS_PATHS.upload, async (req, res) => {
    if (!(await admit(req, res))) return;
    const biz = bizOf(req.body.biz);
    if (!biz) return reply(res, JST_BUSINESS_ERROR_CODE, 'biz参数格式错误，必须是JSON对象');
    const answer = uploadGoods(goods, biz, now());
    await delay(faults.current.holdAnswerMs);
    if (faults.take('lostAnswerNext')) {
      // Applied on the server; the answer never reaches the caller.
      count('lost_answer');
      dropConnection(req.socket, 0);
      return;
    }
    if ('error' in answer) return reply(res, JST_BUSINESS_ERROR_CODE, answer.error);
    reply(res, 0, '执行成功', answer.data);
  });
  app.post(JST_GOODS_PATHS.query, async (req, res) => {
    if (!(await admit(req, res))) return;
    const biz = bizOf(req.body.biz);
    if (!biz) return reply(res, JST_BUSINESS_ERROR_CODE, 'biz参数格式错误，必须是JSON对象');
    const answer = queryGoods(goods, biz);
    if ('error' in answer) return reply(res, JST_BUSINESS_ERROR_CODE, answer.error);
    reply(res, 0, '执行成功', answer.data);
  });

  for (const type of JST_DOCUMENT_TYPES) {
    const endpoint = JST_ENDPOINTS[type];
    app.post(endpoint.path, async (req, res) => {
      if (!(await admit(req, res))) return;
      const answer = query(type, req.body.biz);
      if (answer.error) return reply(res, JST_BUSINESS_ERROR_CODE, answer.error);
      const knobs = faults.current;
      if (knobs.expireTokenAfterRequests !== undefined && --knobs.expireTokenAfterRequests <= 0) {
        delete knobs.expireTokenAfterRequests;
        for (const state of accessTokens.values()) state.expiresAtMs = now();
      }
      reply(res, 0, '执行成功', answer.data);
    });
  }

  /** Sliding 1 s and 60 s windows per app; only accepted calls count. */
  function rateLimit(appKey: string): { code: number; msg: string } | undefined {
    const at = now();
    if (acceptedCalls.countWithin(appKey, at, 1000) >= limits.perSecond) return JST_ERRORS.perSecond;
    if (acceptedCalls.countWithin(appKey, at) >= limits.perMinute) return JST_ERRORS.perMinute;
    acceptedCalls.record(appKey, at);
    return undefined;
  }

  function query(type: JstDocumentType, bizText: string): { error?: string; data?: unknown } {
    let biz: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(bizText);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      biz = parsed as Record<string, unknown>;
    } catch {
      return { error: 'biz参数格式错误，必须是JSON对象' };
    }
    const pageIndex = biz.page_index === undefined ? 1 : Number(biz.page_index);
    const pageSize = biz.page_size === undefined ? 30 : Number(biz.page_size);
    if (!Number.isInteger(pageIndex) || pageIndex < 1) return { error: 'page_index第几页，从第一页开始，默认1' };
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > JST_MAX_PAGE_SIZE)
      return { error: JST_PAGE_SIZE_TEXT };
    const endpoint = JST_ENDPOINTS[type];
    const wantedStatus = typeof biz.status === 'string' && biz.status !== '' ? biz.status : endpoint.defaultStatus;
    const types = Array.isArray(biz.types) ? new Set(biz.types as unknown[]) : undefined;
    const accept = (document: StoredDocument) => {
      if (wantedStatus !== undefined && document.status !== wantedStatus) return false;
      if (types && !types.has(store.render(document).type)) return false;
      return true;
    };
    const withTotal = biz.is_get_total !== false;

    if (biz.start_ts !== undefined && biz.start_ts !== null && biz.start_ts !== '') {
      if (!endpoint.supportsStartTs) return { error: 'start_ts参数无效' };
      const startTs = Number(biz.start_ts);
      if (!Number.isSafeInteger(startTs)) return { error: 'start_ts参数无效' };
      const rows = store.queryByTs(type, startTs, accept, pageIndex * pageSize + 1);
      const page = pageOf(rows, pageIndex, pageSize, 1);
      return {
        data: {
          page_index: pageIndex,
          page_size: pageSize,
          data_count: 0,
          page_count: 0,
          has_next: rows.length > pageIndex * pageSize,
          datas: page.map((d) => store.render(d)),
        },
      };
    }

    const begin = biz.modified_begin;
    const end = biz.modified_end;
    if (begin === undefined || end === undefined || begin === '' || end === '') return { error: JST_WINDOW_TEXT };
    let beginMs: number;
    let endMs: number;
    try {
      beginMs = parseBeijingTime(begin, 'modified_begin');
      endMs = parseBeijingTime(end, 'modified_end');
    } catch {
      return { error: '时间格式错误，格式为yyyy-MM-dd HH:mm:ss' };
    }
    if (endMs < beginMs || endMs - beginMs > JST_MAX_WINDOW_MS) return { error: JST_WINDOW_TEXT };
    const rows = store.queryByModified(type, beginMs, endMs, accept);
    const pageCount = Math.ceil(rows.length / pageSize);
    return {
      data: {
        page_index: pageIndex,
        page_size: pageSize,
        data_count: withTotal ? rows.length : 0,
        page_count: withTotal ? pageCount : 0,
        has_next: pageIndex < pageCount,
        datas: pageOf(rows, pageIndex, pageSize, 1).map((d) => store.render(d)),
      },
    };
  }

  // Admin API for tests and demos: not part of JST.
  mountAdminCore(app, {
    stats,
    faults,
    state: () => ({
      counts: { ...Object.fromEntries(JST_DOCUMENT_TYPES.map((type) => [type, store.count(type)])), goods: goods.count() },
      serverTime: formatBeijingTime(now()),
    }),
  });
  app.post('/__admin/tokens/expire', (_req, res) => {
    for (const state of accessTokens.values()) state.expiresAtMs = now();
    res.json({ expired: accessTokens.size });
  });
  app.get('/__admin/goods', (_req, res) => {
    res.json({ goods: goods.list(), writes: goods.writes });
  });
  app.get('/__admin/documents/:type', (req, res) => {
    const type = documentTypeOf(req.params.type);
    if (!type) return res.status(404).json({ error: `unknown document type ${req.params.type}` });
    res.json({ documents: store.versions(type) });
  });
  app.post('/__admin/documents/:type', (req, res) => {
    const type = documentTypeOf(req.params.type);
    if (!type) return res.status(404).json({ error: `unknown document type ${req.params.type}` });
    const body = req.body as { count?: number; modified?: string; status?: string };
    const modifiedMs = body.modified ? parseBeijingTime(body.modified, 'modified') : now();
    res.json({ documents: store.addDocuments(type, body.count ?? 1, modifiedMs, body.status) });
  });
  // One document or a list, each inserted exactly as given; nothing is inserted when one is refused.
  app.post('/__admin/documents/:type/exact', (req, res) => {
    const type = documentTypeOf(req.params.type);
    if (!type) return res.status(404).json({ error: `unknown document type ${req.params.type}` });
    const documents = (Array.isArray(req.body) ? req.body : [req.body]) as Record<string, unknown>[];
    try {
      res.json({ documents: store.insertExactAll(type, documents) });
    } catch (error) {
      if (!(error instanceof ExactDocumentError)) throw error;
      res.status(400).json({ error: error.message, field: error.field });
    }
  });
  app.post('/__admin/documents/:type/:id', (req, res) => {
    const type = documentTypeOf(req.params.type);
    if (!type || !store.get(type, Number(req.params.id))) return res.status(404).json({ error: 'no such document' });
    const { modified, ...changes } = req.body as { modified?: string } & Record<string, unknown>;
    const modifiedMs = modified ? parseBeijingTime(modified, 'modified') : now();
    res.json({ document: store.modifyDocument(type, Number(req.params.id), modifiedMs, changes) });
  });

  // Unknown paths: the gateway answers like any other business error, with HTTP 200.
  app.use((_req, res) => reply(res, JST_ERRORS.noPermission.code, JST_ERRORS.noPermission.msg));

  return {
    app,
    store,
    goods,
    accounts,
    stats: stats.counts,
    setFaults: (next: JstFaults) => {
      faults.merge(next);
    },
  };
}

function documentTypeOf(name: string | undefined): JstDocumentType | undefined {
  return JST_DOCUMENT_TYPES.find((type) => type === name);
}

/** Starts the emulator on 127.0.0.1 (port 0 = any free port). */
export async function startJushuitanEmulator(options: JstEmulatorOptions = {}): Promise<JstEmulator> {
  const { app, store, goods, accounts, stats, setFaults } = createJushuitanApp(options);
  const server = await listen(app, options);
  return { url: server.url, port: server.port, store, goods, accounts, stats, setFaults, close: server.close };
}
