/**
 * 赛狐 (SellFox) open-API emulator (source-apis.md §5): the client-credentials token in milliseconds, the six-field
 * HMAC-SHA256 signature (both `url` forms), 1 request/s per endpoint → 40019, string-typed paging, `isDel` soft
 * deletes and late settlement rows. What every emulator repeats (server, fault knobs, call stats and windows,
 * /__admin routes, paging) comes from @yecai/emulator-kit; this file holds only the protocol.
 *
 * GET  /api/oauth/v2/token.json?client_id&client_secret&grant_type=client_credentials
 *      → { code: 0, msg: "success", data: { access_token, expires_in (ms) }, requestId } — the same token while valid
 * POST <path>?access_token&client_id&timestamp (13-digit ms, ±15 min)&nonce&sign, JSON body (not signed)
 *      body: { pageNo, pageSize ≤ 100 (strings or numbers), <window params> ("yyyy-MM-dd HH:mm:ss" Beijing) … }
 *      → { code: 0, msg, data: { pageNo, pageSize, totalPage, totalSize (strings), <rowsKey>: [...] }, requestId, ts }
 * Codes: 40001 token invalid/expired · 40019 over 1 request/s per endpoint (real text; HTTP 400 per a knob).
 * The public docs give no table for the rest; the emulator answers 40002 bad sign, 40003 timestamp out of range,
 * 40004 bad parameters, 40005 unknown client (docs/saihu.md, open questions).
 * Admin (tests and demos only): GET /__admin/state, POST /__admin/faults, POST /__admin/stats/reset,
 * POST /__admin/token/invalidate, GET /__admin/documents/<type> (ground truth).
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { parseBeijingTime } from '@yecai/common';
import {
  CallStats,
  CallWindow,
  FaultKnobs,
  answerGatewayFault,
  delay,
  listen,
  mixSeed,
  mountAdminCore,
  pageOf,
  seededRandom,
  type GatewayFaults,
} from '@yecai/emulator-kit';
import { SAIHU_DOCUMENT_TYPES, SAIHU_ENDPOINTS, type SaihuEndpoint } from './endpoints';
import { RATES_TO_CNY } from './generator';
import { signatureMatches, type SignedUrlForm } from './signing';
import { SaihuStore, isSaihuDocumentType, type SeedOptions } from './store';

export { SAIHU_DOCUMENT_TYPES } from './endpoints';
export const SAIHU_TEST_ACCOUNT = { clientId: '1111111', clientSecret: 'fde212ff-588a-11ef-b1d4-0c42a1eda3d9' };
export const SAIHU_CODES = {
  tokenInvalid: 40001,
  badSign: 40002,
  badTimestamp: 40003,
  badRequest: 40004,
  badClient: 40005,
  throttled: 40019,
} as const;
export const SAIHU_THROTTLED_MSG = '调用超过限制，请稍后再试';
const MAX_PAGE_SIZE = 100;
const TIMESTAMP_TOLERANCE_MS = 15 * 60_000;
const TOKEN_TTL_MS = 86_400_000;

/** The kit's gateway faults (`throttleBurst` answers 40019 here) plus the token's early invalidation. */
export interface SaihuFaults extends GatewayFaults {
  /** The token is invalidated after N accepted business calls (then 40001; the token endpoint issues a new one). */
  expireTokenAfterRequests?: number;
  /** 40019 comes with HTTP 400 (as the platform sometimes answers) instead of 200. */
  throttleWithHttp400?: boolean;
}

export interface SaihuEmulatorOptions {
  port?: number;
  host?: string;
  seed?: number;
  documents?: SeedOptions;
  /** Accepted calls per second per endpoint (1 on the platform); more are answered 40019. */
  rateLimits?: { perSecondPerEndpoint: number };
  faults?: SaihuFaults;
  /** Which `url` forms a signature may cover: the request path and/or `/openapi` + path (default both). */
  signedUrlForms?: SignedUrlForm[];
  /** Token lifetime (default 24 h). */
  tokenTtlMs?: number;
}

export interface SaihuEmulator {
  url: string;
  store: SaihuStore;
  /** Calls by outcome: ok, token, 40001 … 40019, 5xx, timeout. */
  stats: Record<string, number>;
  setFaults(faults: SaihuFaults): void;
  /** Invalidate the current token early (the next business call answers 40001). */
  invalidateToken(): void;
  close(): Promise<void>;
}

type Query = Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);

export async function startSaihuEmulator(options: SaihuEmulatorOptions = {}): Promise<SaihuEmulator> {
  const seed = options.seed ?? 1;
  const store = new SaihuStore(seed);
  if (options.documents) store.seedDocuments(options.documents);
  const faults = new FaultKnobs<SaihuFaults>(options.faults);
  const faultRandom = seededRandom(mixSeed(seed, 0xfa17));
  const stats = new CallStats();
  const perSecond = options.rateLimits?.perSecondPerEndpoint ?? 1;
  const urlForms = options.signedUrlForms ?? ['path', 'openapi'];
  const ttlMs = options.tokenTtlMs ?? TOKEN_TTL_MS;
  const acceptedCalls = new CallWindow(1000); // per client and endpoint, accepted calls only
  let token: { value: string; expiresAtMs: number; calls: number } | undefined;
  const tokenValid = () => token !== undefined && token.expiresAtMs > Date.now();

  const reply = (res: Response, code: number, msg: string, data: unknown = null, status = 200) => {
    stats.count(code === 0 ? 'ok' : String(code));
    res.status(status).json({ code, msg, data, requestId: randomUUID(), ts: Date.now() });
  };

  const app = express();
  app.disable('x-powered-by');
  app.use('/api', express.json({ limit: '1mb' }));
  // The gateway in front of the API: lost answers, 502 pages and latency hit a call before the API reads it.
  app.use('/api', async (_req, res, next) => {
    if (answerGatewayFault(faults, res, faultRandom, stats)) return;
    await delay(faults.current.latencyMs);
    next();
  });

  app.get('/api/oauth/v2/token.json', (req, res) => {
    const query = req.query as Query;
    if (query.grant_type !== 'client_credentials')
      return reply(res, SAIHU_CODES.badRequest, 'grant_type 必须为 client_credentials');
    if (query.client_id !== SAIHU_TEST_ACCOUNT.clientId || query.client_secret !== SAIHU_TEST_ACCOUNT.clientSecret)
      return reply(res, SAIHU_CODES.badClient, 'client_id 或 client_secret 错误');
    // Idempotent within validity: the same token until it expires or is invalidated.
    if (!tokenValid()) token = { value: randomUUID(), expiresAtMs: Date.now() + ttlMs, calls: 0 };
    stats.count('token');
    res.json({
      code: 0,
      msg: 'success',
      data: { access_token: token!.value, expires_in: token!.expiresAtMs - Date.now() },
      requestId: randomUUID(),
    });
  });

  const serve = (endpoint: SaihuEndpoint) => (req: Request, res: Response) => {
    const query = req.query as Query;
    if (query.client_id !== SAIHU_TEST_ACCOUNT.clientId) return reply(res, SAIHU_CODES.badClient, 'client_id 无效');
    const fields = {
      access_token: text(query.access_token) ?? '',
      client_id: SAIHU_TEST_ACCOUNT.clientId,
      method: req.method.toLowerCase(),
      nonce: text(query.nonce) ?? '',
      timestamp: text(query.timestamp) ?? '',
    };
    if (!/^\d+$/.test(fields.nonce)) return reply(res, SAIHU_CODES.badRequest, 'nonce 必须为整数');
    if (!signatureMatches(SAIHU_TEST_ACCOUNT.clientSecret, fields, req.path, query.sign, urlForms))
      return reply(res, SAIHU_CODES.badSign, '签名错误');
    if (!/^\d{13}$/.test(fields.timestamp) || Math.abs(Number(fields.timestamp) - Date.now()) > TIMESTAMP_TOLERANCE_MS)
      return reply(res, SAIHU_CODES.badTimestamp, 'timestamp 无效或超出 15 分钟');
    const expireAfter = faults.current.expireTokenAfterRequests;
    if (tokenValid() && expireAfter !== undefined && token!.calls >= expireAfter) token = undefined; // early invalidation
    if (!tokenValid() || fields.access_token !== token!.value)
      return reply(res, SAIHU_CODES.tokenInvalid, 'access_token 无效或已过期');
    const key = `${fields.client_id} ${endpoint.path}`;
    if (faults.take('throttleBurst') || acceptedCalls.countWithin(key, Date.now()) >= perSecond)
      return reply(
        res,
        SAIHU_CODES.throttled,
        SAIHU_THROTTLED_MSG,
        null,
        faults.current.throttleWithHttp400 ? 400 : 200,
      );
    acceptedCalls.record(key, Date.now());
    token!.calls += 1;

    const body = (req.body ?? {}) as Query;
    const pageNo = Number(text(body.pageNo) ?? '1');
    const pageSize = Number(text(body.pageSize) ?? '20');
    if (!Number.isInteger(pageNo) || pageNo < 1) return reply(res, SAIHU_CODES.badRequest, 'pageNo 从 1 开始');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
      return reply(res, SAIHU_CODES.badRequest, `pageSize 最大 ${MAX_PAGE_SIZE}`);
    let range: { fromMs: number; toMs: number } | null = null;
    // Detail by settlement (assumed parameter `settlementId`): every row of one settlement, no time window.
    const settlementId = endpoint.type === 'settlement_detail' ? text(body.settlementId) : undefined;
    if (endpoint.window && settlementId === undefined) {
      if (endpoint.timeType && body[endpoint.timeType.param] !== endpoint.timeType.value)
        return reply(
          res,
          SAIHU_CODES.badRequest,
          `${endpoint.timeType.param} 仅支持 ${endpoint.timeType.value}（模拟器）`,
        );
      try {
        range = {
          fromMs: parseBeijingTime(String(body[endpoint.window.start]), endpoint.window.start),
          toMs: parseBeijingTime(String(body[endpoint.window.end]), endpoint.window.end),
        };
      } catch {
        return reply(
          res,
          SAIHU_CODES.badRequest,
          `${endpoint.window.start}/${endpoint.window.end} 格式 yyyy-MM-dd HH:mm:ss`,
        );
      }
      if (range.toMs < range.fromMs)
        return reply(res, SAIHU_CODES.badRequest, `${endpoint.window.end} 早于 ${endpoint.window.start}`);
    }
    const currency = text(body.currency) ?? 'CNY';
    if (endpoint.type === 'settlement_detail' && RATES_TO_CNY[currency] === undefined)
      return reply(res, SAIHU_CODES.badRequest, `不支持的币种 currency ${currency}`);
    const rows = store.query(endpoint.type, range, {
      currency,
      withDeleted: ['1', 'true'].includes(text(body.queryDel) ?? ''),
      ...(settlementId !== undefined ? { settlementId } : {}),
    });
    reply(res, 0, 'success', {
      pageNo: String(pageNo),
      pageSize: String(pageSize),
      totalPage: String(Math.ceil(rows.length / pageSize)),
      totalSize: String(rows.length),
      [endpoint.rowsKey]: pageOf(rows, pageNo, pageSize, 1),
    });
  };
  for (const endpoint of SAIHU_ENDPOINTS) app.post(endpoint.path, serve(endpoint));

  // Admin routes for tests and demos: not part of the 赛狐 API.
  mountAdminCore(app, {
    stats,
    faults,
    state: () => ({
      counts: Object.fromEntries(SAIHU_DOCUMENT_TYPES.map((type) => [type, store.versions(type).length])),
    }),
  });
  app.post('/__admin/token/invalidate', (_req, res) => {
    token = undefined;
    res.json({ invalidated: true });
  });
  app.get('/__admin/documents/:type', (req, res) => {
    const type = String(req.params.type);
    if (!isSaihuDocumentType(type)) return res.status(404).json({ error: `unknown document type ${type}` });
    res.json({ documents: store.versions(type) });
  });

  app.use((_req, res) => res.status(404).json({ code: 404, msg: 'no such API' }));
  // A body that is not JSON is a parameter error of the API, not an HTML error page.
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if ((error as { type?: unknown }).type !== 'entity.parse.failed') return next(error);
    reply(res, SAIHU_CODES.badRequest, '请求体不是 JSON');
  });

  const server = await listen(app, options);
  return {
    url: server.url,
    store,
    stats: stats.counts,
    setFaults: (next) => void faults.merge(next),
    invalidateToken: () => void (token = undefined),
    close: server.close,
  };
}
