/**
 * 领星 open-API emulator: the token endpoints (string "200" envelope), the AES-128-ECB(MD5) signature checked by
 * the emulator's own code, the envelopes of each URL prefix, the three paging styles, per-path concurrency buckets
 * (3001008), seeded cross-border documents and the fault knobs. What every emulator repeats (server, fault knobs,
 * call stats, /__admin routes) comes from @yecai/emulator-kit (test/emulators/common/README.md).
 *
 * Business calls: public params in the query (`app_key`, `access_token`, `timestamp` 10-digit seconds, `sign`),
 * business params as a JSON body (POST) or in the query (GET); both are signed.
 * Gateway codes (string): 2001001 app · 2001003 token missing/expired · 2001005 token of another app · 2001006 sign
 * · 2001007 timestamp beyond ±120 s · 3001001 public param missing · 3001008 bucket empty (too many in flight).
 * Settlements: the summary list (one record per settlement, Closed once complete) and the detail list by
 * `settlementId` (all its rows, no window needed) — src/settlements.ts.
 * Business codes (number): 102 bad parameters. Admin (tests and demos only): GET /__admin/state, POST
 * /__admin/faults, POST /__admin/stats/reset, GET /__admin/documents/<type> (ground truth), POST
 * /__admin/documents/<type>/modify, POST /__admin/late-settlement, GET /__admin/products.
 * Writes: product/set (本地产品 upsert by sku, products.ts) with lostAnswerNext / holdAnswerMs / down faults.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { formatBeijingTime, parseBeijingTime } from '@yecai/common';
import {
  CallStats,
  FaultKnobs,
  answerGatewayFault,
  delay,
  dropConnection,
  listen,
  mixSeed,
  mountAdminCore,
  seededRandom,
  type GatewayFaults,
} from '@yecai/emulator-kit';
import { LINGXING_DOCUMENT_TYPES, renderRecord } from './generator';
import {
  DOCUMENT_ENDPOINTS,
  OTHER_BUCKETS,
  businessError,
  pageWindow,
  successEnvelope,
  type DocumentEndpoint,
} from './protocol';
import { LingxingProductStore, PRODUCT_SET_PATH } from './products';
import { settlementSummaries } from './settlements';
import { signatureMatches } from './signing';
import { LingxingStore, documentType, type SeedOptions } from './store';
import { TokenAuthority, type TokenRefusal } from './tokens';
import { CURRENCY_RATES, SHOPS, WAREHOUSES } from './world';

export { LINGXING_DOCUMENT_TYPES };
/** appId is 16 characters: it is the AES-128 key of the signature. */
export const LINGXING_TEST_ACCOUNT = { appId: 'ak_0123456789abc', appSecret: 'lx-secret/8+Kq=' };
const TIMESTAMP_TOLERANCE_MS = 120_000;
const DAY_MS = 86_400_000;

/** The kit's gateway faults (`throttleBurst` answers 3001008 here) plus token expiry. */
export interface LingxingFaults extends GatewayFaults {
  /** Every access token expires after N accepted business calls (2001003); a refresh or a new token goes on. */
  expireTokenAfterRequests?: number;
  /** The next N product/set calls are applied, then their answer is lost (the connection is cut). */
  lostAnswerNext?: number;
  /** Held before answering a product/set that has been applied (a writer can be killed in between). */
  holdAnswerMs?: number;
  /** An outage: every API call answers HTTP 503 from the gateway; nothing is read or written. */
  down?: boolean;
}

export interface LingxingEmulatorOptions {
  port?: number;
  host?: string;
  seed?: number;
  documents?: SeedOptions;
  /** Concurrency bucket per path (default: the documented capacity, mostly 1). */
  buckets?: Record<string, number>;
  faults?: LingxingFaults;
  /** The emulator's clock (token expiry, timestamps); Date.now by default. */
  now?: () => number;
}

export interface LingxingEmulator {
  url: string;
  store: LingxingStore;
  /** Local products written through product/set (ground truth and write log for tests). */
  products: LingxingProductStore;
  tokens: TokenAuthority;
  /** Calls by outcome: ok, token_issued, token_refreshed, gateway and business codes, 5xx, timeout. */
  stats: Record<string, number>;
  setFaults(faults: LingxingFaults): void;
  close(): Promise<void>;
}

type Params = Record<string, unknown>;
const PUBLIC_PARAMS = ['access_token', 'app_key', 'timestamp', 'sign'] as const;

export async function startLingxingEmulator(options: LingxingEmulatorOptions = {}): Promise<LingxingEmulator> {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now;
  const store = new LingxingStore(seed);
  const products = new LingxingProductStore();
  if (options.documents) store.seedDocuments(options.documents);
  const faults = new FaultKnobs<LingxingFaults>(options.faults);
  const faultRandom = seededRandom(mixSeed(seed, 0xfa17));
  const stats = new CallStats();
  const tokens = new TokenAuthority(new Map([[LINGXING_TEST_ACCOUNT.appId, LINGXING_TEST_ACCOUNT.appSecret]]), now);
  const inFlight = new Map<string, number>(); // `${appId} ${path}` → requests holding a bucket token
  let callsSinceExpiry = 0;
  let settlementCalls = 0;
  let requestNumber = 0;

  const gatewayError = (
    res: Response,
    code: TokenRefusal | '2001006' | '2001007' | '3001001' | '3001008',
    msg: string,
  ) => {
    stats.count(code);
    res.json({ code, msg, data: { throwable: `com.asinking.gateway.${code}`, throwTime: formatBeijingTime(now()) } });
  };

  /** Public params, app, token, signature, timestamp and the path's bucket; the business params when accepted. */
  const admit = (req: Request, res: Response, bucket: number): Params | undefined => {
    const query = req.query as Record<string, unknown>;
    const missing = PUBLIC_PARAMS.find((name) => typeof query[name] !== 'string' || query[name] === '');
    if (missing)
      return void gatewayError(res, '3001001', `缺少公共参数 ${missing} / missing public parameter ${missing}`);
    const appId = String(query.app_key);
    if (appId !== LINGXING_TEST_ACCOUNT.appId) return void gatewayError(res, '2001001', 'appId 不存在 / app not found');
    const expireAfter = faults.current.expireTokenAfterRequests;
    if (expireAfter !== undefined && callsSinceExpiry >= expireAfter) {
      tokens.expireAccessTokens();
      callsSinceExpiry = 0;
    }
    const refusal = tokens.check(appId, query.access_token);
    if (refusal)
      return void gatewayError(res, refusal, 'access_token 不存在或已过期 / access token missing or expired');
    const business: Params =
      req.method === 'GET'
        ? Object.fromEntries(
            Object.entries(query).filter(([key]) => !(PUBLIC_PARAMS as readonly string[]).includes(key)),
          )
        : ((req.body ?? {}) as Params);
    const signed = { access_token: query.access_token, app_key: appId, timestamp: query.timestamp, ...business };
    if (!signatureMatches(appId, signed, query.sign)) return void gatewayError(res, '2001006', 'api sign not correct');
    if (Math.abs(Number(query.timestamp) * 1000 - now()) > TIMESTAMP_TOLERANCE_MS)
      return void gatewayError(res, '2001007', '签名已过期 / signature expired (timestamp)');
    const key = `${appId} ${req.path}`;
    if (faults.take('throttleBurst') || (inFlight.get(key) ?? 0) >= bucket)
      return void gatewayError(res, '3001008', '请求过于频繁 / too many requests');
    // The bucket's token comes back when the request completes (answered, failed or cut).
    inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
    res.once('close', () => inFlight.set(key, (inFlight.get(key) ?? 1) - 1));
    callsSinceExpiry += 1;
    return business;
  };
  /** Admitted, then the API's own time (`latencyMs`) passes while the call holds its bucket token. */
  const admitAndWork = async (req: Request, res: Response, bucket: number): Promise<Params | undefined> => {
    const business = admit(req, res, bucket);
    if (business) await delay(faults.current.latencyMs);
    return business;
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false }));
  // The gateway in front of the API: lost answers and 502 pages hit a call before the API reads it.
  app.use(['/api', '/erp', '/bd', '/pb'], (_req, res, next) => {
    if (faults.current.down) {
      stats.count('down');
      return void res.status(503).type('text/html').send('<html><body>503 Service Unavailable</body></html>');
    }
    if (!answerGatewayFault(faults, res, faultRandom, stats)) next();
  });

  // Tokens: appId/appSecret as query params (the SDKs) or form fields (the documentation); answer code "200".
  const tokenAnswer = async (res: Response, result: ReturnType<TokenAuthority['accessToken']>, outcome: string) => {
    await delay(faults.current.latencyMs);
    if (typeof result === 'string') return void gatewayError(res, result, TOKEN_TEXTS[result]);
    stats.count(outcome);
    res.json({ code: '200', msg: 'OK', data: result });
  };
  const tokenField = (req: Request, name: string) =>
    (req.query as Params)[name] ?? (req.body as Params | undefined)?.[name];
  app.post('/api/auth-server/oauth/access-token', (req, res) =>
    tokenAnswer(res, tokens.accessToken(tokenField(req, 'appId'), tokenField(req, 'appSecret')), 'token_issued'),
  );
  app.post('/api/auth-server/oauth/refresh', (req, res) =>
    tokenAnswer(res, tokens.refreshToken(tokenField(req, 'appId'), tokenField(req, 'refreshToken')), 'token_refreshed'),
  );

  const requestId = () => `EMU${String(++requestNumber).padStart(10, '0')}`;
  const answerDocuments = (endpoint: DocumentEndpoint) => async (req: Request, res: Response) => {
    const params = await admitAndWork(req, res, options.buckets?.[endpoint.path] ?? endpoint.bucket);
    if (!params) return;
    const refuse = (text: string) => {
      stats.count('102');
      res.json(businessError(endpoint.envelope, 102, `参数不合法 / invalid parameter: ${text}`, requestId()));
    };
    const type = endpoint.documentType(params);
    if (typeof type === 'object') return refuse(type.error);
    const page = pageWindow(endpoint.paging, params);
    if ('error' in page) return refuse(page.error);
    const settlement =
      endpoint.settlementFilter &&
      params[endpoint.settlementFilter] !== undefined &&
      params[endpoint.settlementFilter] !== ''
        ? String(params[endpoint.settlementFilter])
        : undefined;
    const { from, to, format, toExclusive, maxDays } = endpoint.window;
    let fromMs = 0;
    let toMs = Number.MAX_SAFE_INTEGER;
    // productList by `sku_list` (what a writer reads back) needs no window.
    const skuList =
      type === 'material' && Array.isArray(params.sku_list) && params.sku_list.length > 0
        ? new Set(params.sku_list.map(String))
        : undefined;
    if (settlement === undefined && skuList === undefined) {
      try {
        [fromMs, toMs] = windowBounds(format, params[from], params[to], from, to);
      } catch {
        const [zh, en] = WINDOW_FORMATS[format];
        return refuse(`${from}/${to} 格式 ${zh} / ${from} and ${to} must be ${en}`);
      }
      if (toMs < fromMs || toMs - fromMs > maxDays * DAY_MS)
        return refuse(`时间跨度不能超过 ${maxDays} 天 / the window may not exceed ${maxDays} days`);
    }
    const byLastChange =
      !endpoint.byLastChange || String(params[endpoint.byLastChange.param]) === String(endpoint.byLastChange.value);
    const sid = params.sid === undefined ? undefined : Number(params.sid);
    const rows = (
      endpoint.view === 'settlement_summary'
        ? settlementSummaries(store, seed, { fromMs, toMs })
        : store
            .query(type, {
              fromMs,
              toMs,
              ...(toExclusive ? { toExclusive } : {}),
              basis: byLastChange ? 'modified' : 'created',
            })
            .map((document) => renderRecord(seed, document, type === 'fee_settlement' ? ++settlementCalls : 0))
    )
      .filter((record) => sid === undefined || record.sid === sid)
      .filter((record) => settlement === undefined || record.settlementId === settlement);
    if (type === 'material') {
      // Products written through product/set replace a generated one of the same sku.
      const written = products.list();
      const writtenSkus = new Set(written.map((product) => product.sku));
      rows.splice(0, rows.length, ...rows.filter((record) => !writtenSkus.has(String(record.sku))));
      rows.push(
        ...written
          .filter((product) => product.update_time * 1000 >= fromMs && product.update_time * 1000 <= toMs)
          .map((product) => ({ ...product })),
      );
      if (skuList) rows.splice(0, rows.length, ...rows.filter((record) => skuList.has(String(record.sku))));
    }
    stats.count('ok');
    res.json(
      successEnvelope(
        endpoint.envelope,
        rows.slice(page.offset, page.offset + page.length),
        rows.length,
        requestId(),
        formatBeijingTime(now()),
      ),
    );
  };
  for (const endpoint of DOCUMENT_ENDPOINTS) app.post(endpoint.path, answerDocuments(endpoint));

  // 本地产品 create/update by sku (products.ts).
  app.post(PRODUCT_SET_PATH, async (req, res) => {
    const params = await admitAndWork(req, res, options.buckets?.[PRODUCT_SET_PATH] ?? 1);
    if (!params) return;
    const answer = products.set(params, now());
    await delay(faults.current.holdAnswerMs);
    if (faults.take('lostAnswerNext')) {
      // Applied on the server; the answer never reaches the caller.
      stats.count('lost_answer');
      dropConnection(req.socket, 0);
      return;
    }
    if ('error' in answer) {
      stats.count('102');
      return res.json(businessError('erp', 102, `参数不合法 / invalid parameter: ${answer.error}`, requestId()));
    }
    stats.count('ok');
    res.json({
      code: 0,
      message: 'success',
      error_details: [],
      request_id: requestId(),
      response_time: formatBeijingTime(now()),
      data: answer.data,
    });
  });

  // Master data.
  const answerList =
    (path: string, envelope: 'erp' | 'erp_list', rows: (params: Params) => unknown[] | undefined) =>
    async (req: Request, res: Response) => {
      const params = await admitAndWork(req, res, options.buckets?.[path] ?? OTHER_BUCKETS[path] ?? 1);
      if (!params) return;
      const page = pageWindow({ style: 'offset_length', maxLength: 1000, defaultLength: 1000 }, params);
      const all = rows(params);
      if ('error' in page || !all) {
        stats.count('102');
        const text = 'error' in page ? page.error : 'date 格式 YYYY-MM / date must be YYYY-MM';
        return res.json(businessError(envelope, 102, `参数不合法 / invalid parameter: ${text}`, requestId()));
      }
      stats.count('ok');
      res.json(
        successEnvelope(
          envelope,
          all.slice(page.offset, page.offset + page.length),
          all.length,
          requestId(),
          formatBeijingTime(now()),
        ),
      );
    };
  const masterData: Array<
    [
      method: 'get' | 'post',
      path: string,
      envelope: 'erp' | 'erp_list',
      rows: (params: Params) => unknown[] | undefined,
    ]
  > = [
    [
      'get',
      '/erp/sc/data/seller/lists',
      'erp',
      () => SHOPS.map(({ currency: _currency, marketplaceDomain: _domain, ...shop }) => shop),
    ],
    [
      'post',
      '/erp/sc/data/local_inventory/warehouse',
      'erp',
      (p) => WAREHOUSES.filter((w) => p.type === undefined || w.type === Number(p.type)),
    ],
    [
      'post',
      '/erp/sc/routing/finance/currency/currencyMonth',
      'erp',
      (p) => {
        const month = String(p.date ?? '');
        if (!/^\d{4}-\d{2}$/.test(month)) return undefined;
        // The ERP envelope with the list in `data` (as lingxingapi's ExchangeRates model reads it), one row per currency.
        return CURRENCY_RATES.map(({ code, name, rate_org, my_rate }) => ({
          date: `${month}-01`,
          code,
          name,
          icon: code === 'CNY' ? '￥' : '',
          rate_org,
          my_rate,
          update_time: `${month}-01 00:05:00`,
        }));
      },
    ],
  ];
  for (const [method, path, envelope, rows] of masterData) app[method](path, answerList(path, envelope, rows));

  // Admin routes for tests and demos: not part of the 领星 API.
  mountAdminCore(app, { stats, faults, state: () => ({ counts: store.counts() }) });
  app.get('/__admin/products', (_req, res) => res.json({ products: products.list(), writes: products.writes }));
  app.get('/__admin/documents/:type', (req, res) => {
    try {
      const type = documentType(String(req.params.type));
      res.json({
        documents: store.versions(type).map((v) => ({ ...v, record: renderRecord(seed, store.get(type, v.id)!) })),
      });
    } catch (error) {
      res.status(404).json({ error: String(error) });
    }
  });
  app.post('/__admin/documents/:type/modify', (req, res) => {
    const { id, atMs, status, refunded } = req.body as {
      id?: string;
      atMs?: number;
      status?: string | number;
      refunded?: boolean;
    };
    try {
      res.json(
        store.modifyDocument(String(req.params.type), String(id), atMs ?? now(), {
          ...(status !== undefined ? { status } : {}),
          ...(refunded !== undefined ? { refunded } : {}),
        }),
      );
    } catch (error) {
      res.status(400).json({ error: String(error) });
    }
  });
  app.post('/__admin/late-settlement', (req, res) => {
    const { count, postedDaysBefore, atMs } = req.body as { count?: number; postedDaysBefore?: number; atMs?: number };
    res.json({ rows: store.addLateSettlementRows(count ?? 1, atMs ?? now(), postedDaysBefore ?? 5) });
  });

  app.use((_req, res) => res.status(404).json({ code: 400, message: '服务不存在' }));
  // A body that is not JSON is a parameter error of the API, not an HTML error page.
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if ((error as { type?: unknown }).type !== 'entity.parse.failed') return next(error);
    stats.count('102');
    res.json({ code: 102, message: '参数不合法 / body is not JSON' });
  });

  const server = await listen(app, options);
  return {
    url: server.url,
    store,
    products,
    tokens,
    stats: stats.counts,
    setFaults: (next) => void faults.merge(next),
    close: server.close,
  };
}

const WINDOW_FORMATS = {
  datetime: ['Y-m-d H:i:s', 'yyyy-MM-dd HH:mm:ss'],
  date: ['Y-m-d', 'yyyy-MM-dd'],
  unix: ['10 位时间戳', 'unix seconds'],
} as const;

/** A window's bounds in ms; `date` windows cover their whole days. Throws on a value not in the format. */
function windowBounds(
  format: keyof typeof WINDOW_FORMATS,
  fromValue: unknown,
  toValue: unknown,
  from: string,
  to: string,
): [number, number] {
  if (format === 'unix') {
    const [a, b] = [Number(fromValue), Number(toValue)];
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 1e9 || b < 1e9) throw new Error('format');
    return [a * 1000, b * 1000];
  }
  const pattern = format === 'date' ? /^\d{4}-\d{2}-\d{2}$/ : /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
  if (!pattern.test(String(fromValue)) || !pattern.test(String(toValue))) throw new Error('format');
  return [
    parseBeijingTime(format === 'date' ? `${String(fromValue)} 00:00:00` : fromValue, from),
    parseBeijingTime(format === 'date' ? `${String(toValue)} 23:59:59` : toValue, to),
  ];
}

const TOKEN_TEXTS: Record<TokenRefusal, string> = {
  '2001001': 'appId 不存在 / app not found',
  '2001002': 'appSecret 错误 / wrong app secret',
  '2001003': 'access_token 不存在或已过期 / access token missing or expired',
  '2001005': 'access_token 与 appId 不匹配 / token of another app',
  '2001008': 'refresh_token 已过期 / refresh token expired',
  '2001009': 'refresh_token 无效 / refresh token invalid or used',
};
