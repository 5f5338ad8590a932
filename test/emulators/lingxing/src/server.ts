/**
 * 领星 open-API emulator (skeleton from `yecai new source`): signed calls, tokens that expire and refresh,
 * window and page-size limits, throttling at a call budget, paging with a page count over a stable order, and the
 * fault knobs. What every emulator repeats (server, fault knobs, call stats and windows, /__admin routes, paging)
 * comes from @yecai/emulator-kit (test/emulators/common/README.md); this file holds only the protocol. Replace its
 * details with the vendor's real ones as you read its documentation.
 *
 * POST /api/<type>/query   { app_key, access_token, timestamp, biz (JSON text), sign }
 *   biz: { page_index (1-based), page_size ≤ 100, modified_begin, modified_end (Beijing time, both inclusive, ≤ 7 days) }
 *   → { code: 0, msg, data: { page_index, page_count, total, records } }
 * POST /api/token/refresh  { app_key, refresh_token, timestamp, sign } → { code: 0, data: { access_token } }
 * Codes: 1001 bad sign · 1002 token invalid/expired · 1003 throttled · 1004 bad parameters · 1005 timestamp skew.
 * Admin (tests and demos only): GET /__admin/state, POST /__admin/faults, POST /__admin/stats/reset,
 * GET /__admin/documents/<type> (ground truth).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { formatBeijingTime, parseBeijingTime } from '@yecai/common';
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
import { signatureMatches } from './signing';
import { LingxingStore, type SeedOptions } from './store';

export const LINGXING_DOCUMENT_TYPES = ['sales_outstock', 'sales_order'] as const;
export const LINGXING_TEST_ACCOUNT = {
  appKey: 'ak_test',
  appSecret: 'sk_test',
  accessToken: 'at_test',
  refreshToken: 'rt_test',
};
const MAX_PAGE_SIZE = 100;
const MAX_WINDOW_MS = 7 * 86_400_000;
const TIMESTAMP_TOLERANCE_MS = 600_000;

/**
 * The kit's gateway faults (5xx bursts and rate, lost answers, latency; `throttleBurst` answers 1003 here) plus
 * token expiry.
 */
export interface LingxingFaults extends GatewayFaults {
  /** The access token expires after N accepted calls (code 1002); a refresh issues a new one. */
  expireTokenAfterRequests?: number;
}

export interface LingxingEmulatorOptions {
  port?: number;
  host?: string;
  seed?: number;
  documents?: SeedOptions;
  /** Accepted calls per second and per minute (per app); more are answered 1003. */
  rateLimits?: { perSecond: number; perMinute: number };
  faults?: LingxingFaults;
}

export interface LingxingEmulator {
  url: string;
  store: LingxingStore;
  /** Calls by outcome: ok, refreshed, 1001 … 1005, 5xx, timeout. */
  stats: Record<string, number>;
  setFaults(faults: LingxingFaults): void;
  close(): Promise<void>;
}

type Fields = Record<string, unknown>;

export async function startLingxingEmulator(options: LingxingEmulatorOptions = {}): Promise<LingxingEmulator> {
  const seed = options.seed ?? 1;
  const store = new LingxingStore(seed, LINGXING_DOCUMENT_TYPES);
  if (options.documents) store.seedDocuments(options.documents);
  const faults = new FaultKnobs<LingxingFaults>(options.faults);
  const faultRandom = seededRandom(mixSeed(seed, 0xfa17));
  const stats = new CallStats();
  const limits = options.rateLimits ?? { perSecond: 5, perMinute: 100 };
  const acceptedCalls = new CallWindow(60_000); // per app key, accepted calls only
  let accessToken = LINGXING_TEST_ACCOUNT.accessToken;
  let tokenCalls = 0;
  let tokenGeneration = 0;

  const reply = (res: Response, code: number, msg: string, data: unknown = null) => {
    stats.count(code === 0 ? 'ok' : String(code));
    res.json({ code, msg, data });
  };
  /** App, signature (the emulator's own check) and timestamp of every call; false when refused. */
  const authenticate = (fields: Fields, res: Response): boolean => {
    if (
      fields.app_key !== LINGXING_TEST_ACCOUNT.appKey ||
      !signatureMatches(LINGXING_TEST_ACCOUNT.appSecret, fields)
    ) {
      reply(res, 1001, '签名错误 / invalid sign');
      return false;
    }
    if (Math.abs(Number(fields.timestamp) * 1000 - Date.now()) > TIMESTAMP_TOLERANCE_MS) {
      reply(res, 1005, '时间戳超出范围 / timestamp out of range');
      return false;
    }
    return true;
  };
  /** Sliding 1 s and 60 s windows per app; true when the call is over the budget (it is then not counted). */
  const overBudget = (appKey: string): boolean => {
    const at = Date.now();
    if (
      acceptedCalls.countWithin(appKey, at, 1000) >= limits.perSecond ||
      acceptedCalls.countWithin(appKey, at) >= limits.perMinute
    )
      return true;
    acceptedCalls.record(appKey, at);
    return false;
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

  app.post('/api/token/refresh', (req, res) => {
    const fields = (req.body ?? {}) as Fields;
    if (!authenticate(fields, res)) return;
    if (fields.refresh_token !== LINGXING_TEST_ACCOUNT.refreshToken)
      return reply(res, 1002, 'refresh_token 无效 / invalid refresh token');
    accessToken = `at_${++tokenGeneration}`;
    tokenCalls = 0;
    stats.count('refreshed');
    res.json({ code: 0, msg: 'ok', data: { access_token: accessToken } });
  });

  app.post('/api/:type/query', (req, res) => {
    const fields = (req.body ?? {}) as Fields;
    if (!authenticate(fields, res)) return;
    const expireAfter = faults.current.expireTokenAfterRequests;
    if (fields.access_token !== accessToken || (expireAfter !== undefined && tokenCalls >= expireAfter))
      return reply(res, 1002, 'access_token 无效或已过期 / access token invalid or expired');
    if (faults.take('throttleBurst') || overBudget(String(fields.app_key)))
      return reply(res, 1003, '调用过于频繁 / too many requests');
    tokenCalls += 1;

    const type = LINGXING_DOCUMENT_TYPES.find((known) => known === req.params.type);
    if (!type) return res.status(404).json({ code: 404, msg: 'no such API' });
    let biz: { page_index?: unknown; page_size?: unknown; modified_begin?: unknown; modified_end?: unknown };
    try {
      biz = JSON.parse(String(fields.biz)) as typeof biz;
    } catch {
      return reply(res, 1004, 'biz 不是 JSON / biz is not JSON');
    }
    const pageIndex = Number(biz.page_index);
    const pageSize = Number(biz.page_size);
    if (!Number.isInteger(pageIndex) || pageIndex < 1)
      return reply(res, 1004, 'page_index 从 1 开始 / page_index starts at 1');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
      return reply(res, 1004, `page_size 最大 ${MAX_PAGE_SIZE} / page_size at most ${MAX_PAGE_SIZE}`);
    let fromMs: number;
    let toMs: number;
    try {
      fromMs = parseBeijingTime(String(biz.modified_begin), 'modified_begin');
      toMs = parseBeijingTime(String(biz.modified_end), 'modified_end');
    } catch {
      return reply(res, 1004, '时间格式 yyyy-MM-dd HH:mm:ss / times are yyyy-MM-dd HH:mm:ss');
    }
    if (toMs < fromMs || toMs - fromMs > MAX_WINDOW_MS)
      return reply(res, 1004, '时间跨度不能超过 7 天 / window longer than 7 days');
    const rows = store.query(type, fromMs, toMs);
    const records = pageOf(rows, pageIndex, pageSize, 1).map((document) => ({
      id: document.id,
      modified: formatBeijingTime(document.modifiedMs),
      status: document.status,
      amount: document.amount,
      lines: document.lines,
    }));
    reply(res, 0, 'ok', {
      page_index: pageIndex,
      page_count: Math.ceil(rows.length / pageSize),
      total: rows.length,
      records,
    });
  });

  // Admin routes for tests and demos: not part of the 领星 API.
  mountAdminCore(app, {
    stats,
    faults,
    state: () => ({
      counts: Object.fromEntries(LINGXING_DOCUMENT_TYPES.map((type) => [type, store.versions(type).length])),
    }),
  });
  app.get('/__admin/documents/:type', (req, res) => {
    const type = LINGXING_DOCUMENT_TYPES.find((known) => known === req.params.type);
    if (!type) return res.status(404).json({ error: `unknown document type ${req.params.type}` });
    res.json({ documents: store.versions(type) });
  });

  app.use((_req, res) => res.status(404).json({ code: 404, msg: 'no such API' }));
  // A body that is not JSON is a parameter error of the API, not an HTML error page.
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if ((error as { type?: unknown }).type !== 'entity.parse.failed') return next(error);
    reply(res, 1004, '请求体不是 JSON / body is not JSON');
  });

  const server = await listen(app, options);
  return {
    url: server.url,
    store,
    stats: stats.counts,
    setFaults: (next) => void faults.merge(next),
    close: server.close,
  };
}
