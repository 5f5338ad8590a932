/**
 * The YonSuite (YonBIP 公有云) OpenAPI emulator, to yonyou-api.md §3.11's checklist: data-centre lookup, the signed
 * token endpoint on both paths, the gateway's checks in the documented order (path registry 310404 → token
 * 310001/310036 → API grant 310037 → per-API rate limit 310046), MDD idempotency (`resubmitCheckKey`: a repeat within
 * the hour replays the first success, later the duplicate code 100004 with the id, `202` while in flight), manual
 * document numbers kept unique, references by id or code, stock checks, lists, details, batch audit with partial
 * failures, and faults on demand (lost answers after the write landed, 5xx, throttling, an outage).
 */
import { randomBytes } from 'node:crypto';
import { Decimal } from '@yecai/common';
import express, { type Request, type Response } from 'express';
import {
  answerGatewayFault,
  CallStats,
  CallWindow,
  delay,
  dropConnection,
  FaultKnobs,
  listen,
  mountAdminCore,
  sendGatewayError,
  type GatewayFaults,
  type ListenOptions,
} from '@yecai/emulator-kit';
import { parseExact, toJson } from './json';
import { signatureMatches } from './signature';
import { writeOffView } from './efi-collection';
import { VOUCHER_BASE, VoucherBook } from './voucher';
import { batchAnswer, MasterDataStore } from './master-data';
import { BILL_KINDS, DEFAULT_REFERENCES, YonyouState, type RefType, type StoredDocument } from './state';

export interface YonyouFaults extends GatewayFaults {
  /** The data centre is down: every call (lookup, token, API) answers 503 while set. */
  down?: boolean;
  /** The next N writes are applied, then the connection is cut without an answer. */
  lostAnswerNext?: number;
  /** The next N MDD saves answer 202 and finish `processingMs` later (a repeat meanwhile answers 202 again). */
  processingNext?: number;
  processingMs?: number;
  /** The next N API calls answer 310036 (a token revoked before its time). */
  invalidTokenNext?: number;
}

export interface YonyouEmulatorOptions extends ListenOptions {
  tenantId?: string;
  appKey?: string;
  appSecret?: string;
  /** Calls per minute per API and app (the free quota: 60). */
  callsPerMinute?: number;
  /** Token lifetime in seconds (7200). */
  tokenLifeSeconds?: number;
  /** Accepted clock skew of a token request's millisecond timestamp (undocumented; 5 minutes here). */
  timestampWindowMs?: number;
  /** APIs (paths) the app is not granted: 310037. */
  ungranted?: string[];
  /** The tenant's reference data (codes, names) per type, added to the default ones (e.g. a demo company's SKUs). */
  references?: Partial<Record<RefType, [string, string][]>>;
  /** Stock of every product in every warehouse before any document (100,000). */
  openingStock?: number;
  faults?: Partial<YonyouFaults>;
}

export interface YonyouEmulator {
  url: string;
  port: number;
  state: YonyouState;
  /** The general-ledger vouchers posted by addVoucher (voucher.ts). */
  vouchers: VoucherBook;
  /** 物料 / 客户 / 供应商 / 仓库 saved through the master-data APIs, with their assigned orgs. */
  masterData: MasterDataStore;
  stats: CallStats;
  faults: FaultKnobs<YonyouFaults>;
  setFaults(faults: Partial<YonyouFaults>): void;
  /** Moves the emulator's clock (MDD cache age, token expiry, rate windows). */
  advanceClock(ms: number): void;
  /** Tokens issued so far. */
  tokensIssued(): number;
  close(): Promise<void>;
}

export const EMULATOR_CREDENTIALS = {
  tenantId: 'yecai-tenant-01',
  appKey: '41832a3d2df94989b500da6a22268747',
  appSecret: 'yecai-emulator-app-secret',
};
const MDD_TTL_MS = 3_600_000;

interface MddEntry {
  at: number;
  /** The first success, replayed verbatim within the hour. */
  answer?: Record<string, unknown>;
  id?: bigint;
}

export async function startYonyouEmulator(options: YonyouEmulatorOptions = {}): Promise<YonyouEmulator> {
  const credentials = {
    tenantId: options.tenantId ?? EMULATOR_CREDENTIALS.tenantId,
    appKey: options.appKey ?? EMULATOR_CREDENTIALS.appKey,
    appSecret: options.appSecret ?? EMULATOR_CREDENTIALS.appSecret,
  };
  let clockOffset = 0;
  const now = () => Date.now() + clockOffset;
  const references = Object.fromEntries(
    Object.entries(DEFAULT_REFERENCES).map(([type, list]) => [
      type,
      [...list, ...(options.references?.[type as RefType] ?? [])],
    ]),
  ) as Record<RefType, [string, string][]>;
  const state = new YonyouState(references, options.openingStock, now);
  const vouchers = new VoucherBook();
  const masterData = new MasterDataStore(state);
  const stats = new CallStats();
  const faults = new FaultKnobs<YonyouFaults>(options.faults);
  const quota = new CallWindow(60_000);
  const tokens = new Map<string, number>(); // token → expires at
  const mdd = new Map<string, MddEntry>();
  const ungranted = new Set(options.ungranted ?? []);
  const perMinute = options.callsPerMinute ?? 60;
  const random = Math.random;
  let baseUrl = '';

  const app = express();
  mountAdminCore(app, { stats, faults, state: () => ({ documents: state.counts(), tokens: tokens.size }) });
  app.get('/__admin/documents/:kind', (req, res) =>
    sendJson(
      res,
      state.documentsOf(req.params.kind).map((document) => ({ ...state.view(document), id: document.id.toString() })),
    ),
  );

  const down = (res: Response) => {
    if (!faults.current.down) return false;
    stats.count('down');
    sendGatewayError(res, 503, 'Service Unavailable');
    return true;
  };

  // 1. Data-centre lookup (no token).
  app.get('/open-auth/dataCenter/getGatewayAddress', (req, res) => {
    if (down(res)) return;
    stats.count('lookup');
    if (req.query.tenantId !== credentials.tenantId)
      return sendJson(res, { code: '500', message: '根据租户id获取网关地址出现异常' });
    sendJson(res, {
      code: '00000',
      message: '成功！',
      data: { gatewayUrl: `${baseUrl}/iuap-api-gateway`, tokenUrl: `${baseUrl}/iuap-api-auth` },
    });
  });

  // 2. Token, on the current and the pre-2023-07-21 path.
  const token = (req: Request, res: Response) => {
    if (down(res)) return;
    const query = Object.fromEntries(Object.entries(req.query).map(([name, value]) => [name, String(value)]));
    if (query.appKey !== credentials.appKey)
      return sendJson(res, { code: '10018', message: '应用不存在或appKey已停用' });
    const timestamp = Number(query.timestamp);
    // Milliseconds only: a seconds timestamp is decades away from now and falls outside the window.
    if (
      !/^\d{13}$/.test(query.timestamp ?? '') ||
      Math.abs(now() - timestamp) > (options.timestampWindowMs ?? 300_000)
    ) {
      stats.count('token_stale');
      return sendJson(res, { code: '10020', message: 'timestamp 超出有效期，请使用毫秒时间戳' });
    }
    if (!signatureMatches(query, credentials.appSecret)) {
      stats.count('token_bad_signature');
      return sendJson(res, { code: '10021', message: '签名校验失败' });
    }
    // base/v1 tokens are long and hold characters that must be URL-encoded.
    const value = `${randomBytes(24).toString('base64')}+/=${randomBytes(6).toString('hex')}`;
    const life = options.tokenLifeSeconds ?? 7200;
    tokens.set(value, now() + life * 1000);
    stats.count('token');
    sendJson(res, { code: '00000', message: '成功！', data: { access_token: value, expire: life } });
  };
  app.get('/iuap-api-auth/open-auth/selfAppAuth/base/v1/getAccessToken', token);
  app.get('/iuap-api-auth/open-auth/selfAppAuth/getAccessToken', token);

  // 3. Business APIs behind the gateway.
  const routes = new Map<
    string,
    (req: Request, res: Response, body: Record<string, unknown>) => Promise<void> | void
  >();
  // 凭证 (voucher.ts): a top-level body, refusals as code 404 in HTTP 200.
  routes.set(`POST ${VOUCHER_BASE}/addVoucher`, (_req, res, body) => {
    const answer = vouchers.add(body);
    stats.count(answer.code === '200' ? 'voucher' : 'voucher_404');
    if (faults.take('lostAnswerNext')) return lose(res);
    sendJson(res, answer);
  });
  routes.set(`POST ${VOUCHER_BASE}/queryVouchers`, (_req, res, body) => sendJson(res, vouchers.query(body)));
  for (const [kindName, kind] of Object.entries(BILL_KINDS)) {
    routes.set(`POST ${kind.base}/${kind.save}`, (req, res, body) => saveRoute(kindName, req, res, body));
    routes.set(`POST ${kind.base}/list`, (_req, res, body) =>
      sendJson(res, { code: '200', message: '操作成功', data: listOf(kindName, body) }),
    );
    routes.set(`GET ${kind.base}/detail`, (req, res) => {
      const document = state.find(kindName, String(req.query.id ?? ''));
      sendJson(
        res,
        document
          ? { code: '200', message: '操作成功', data: state.view(document) }
          : { code: '1002', message: '数据不存在' },
      );
    });
    for (const [action, audit] of kind.batchActions === false
      ? []
      : ([
          [kind.statusPaths?.audit ?? 'batchaudit', true],
          [kind.statusPaths?.unaudit ?? 'batchunaudit', false],
        ] as const)) {
      routes.set(`POST ${kind.base}/${action}`, (req, res, body) => {
        const rows = Array.isArray(body.data) ? (body.data as Record<string, unknown>[]) : [];
        const failInfos = rows.flatMap((row) => {
          const message = state.setStatus(kindName, String(row.id ?? ''), audit);
          return message ? [{ id: String(row.id ?? ''), message }] : [];
        });
        const answer = batchAnswer(rows.length, failInfos);
        if (faults.take('lostAnswerNext')) return lose(res);
        sendJson(res, answer);
      });
    }
  }

  // Master data (master-data.ts): MDD saves share the documents' resubmitCheckKey cache.
  for (const route of masterData.routes()) {
    routes.set(`POST ${route.path}`, (_req, res, body) => {
      const data = body.data as Record<string, unknown> | undefined;
      const key = route.mdd && typeof data?.resubmitCheckKey === 'string' ? data.resubmitCheckKey : undefined;
      if (key !== undefined) return mddSave(route.path, key, res, () => route.handle(body));
      const answer = route.handle(body);
      if (route.write && faults.take('lostAnswerNext')) return lose(res);
      sendJson(res, answer);
    });
  }

  app.use('/iuap-api-gateway', express.text({ type: () => true, limit: '5mb' }), async (req, res) => {
    if (down(res)) return;
    const path = req.path;
    const route = routes.get(`${req.method} ${path}`);
    if (!route)
      return sendJson(res.status(404), { code: '310404', message: `网关上没有注册此API[${path}]，请确认后重新调用` });
    const accessToken = typeof req.query.access_token === 'string' ? req.query.access_token : '';
    if (accessToken === '') return sendJson(res, { code: '310001', message: 'access_token不能为空。' });
    const expires = tokens.get(accessToken);
    if (expires === undefined || expires <= now() || faults.take('invalidTokenNext')) {
      stats.count('310036');
      return sendJson(res, { code: '310036', message: '非法token' });
    }
    if (ungranted.has(path)) return sendJson(res, { code: '310037', message: 'API未被授权' });
    if (faults.take('throttleBurst') || quota.countWithin(path, now()) >= perMinute) {
      stats.count('310046');
      return sendJson(res, { code: '310046', message: '该API调用频率超过限制，请稍后重试' });
    }
    quota.record(path, now());
    if (answerGatewayFault(faults, res, random, stats)) return;
    await delay(faults.current.latencyMs);
    let body: Record<string, unknown> = {};
    if (req.method === 'POST') {
      try {
        body = parseExact(typeof req.body === 'string' && req.body !== '' ? req.body : '{}') as Record<string, unknown>;
      } catch {
        return sendJson(res, { code: '310002', message: '请求体必须是JSON格式' });
      }
    }
    stats.count('ok');
    await route(req, res, body);
  });

  async function saveRoute(
    kindName: string,
    req: Request,
    res: Response,
    body: Record<string, unknown>,
  ): Promise<void> {
    const kind = BILL_KINDS[kindName]!;
    const data = body.data;
    if (!data || typeof data !== 'object' || Array.isArray(data))
      return sendJson(res, { code: '999', message: '保存失败：请求参数data不能为空' });
    const record = data as Record<string, unknown>;
    const key = typeof record.resubmitCheckKey === 'string' ? record.resubmitCheckKey : undefined;
    if (kind.mdd && key !== undefined)
      return mddSave(`${kind.base}/${kind.save}`, key, res, () => finish(kindName, record));
    const answer = finish(kindName, record);
    if (faults.take('lostAnswerNext')) return lose(res);
    sendJson(res, answer);
  }

  /**
   * An MDD save (yonyou-api.md §3.8): the first success per (API, tenant, key) is replayed within the hour, later
   * answered 100004 with its id; `202` while the first is in flight. `apply` saves and answers.
   */
  function mddSave(apiPath: string, key: string, res: Response, apply: () => Record<string, unknown>): void {
    if (key.length > 32) return sendJson(res, { code: '999', message: 'resubmitCheckKey长度不能超过32' });
    const cacheKey = `${apiPath}|${credentials.tenantId}|${key}`;
    const remember = (entry: MddEntry, answer: Record<string, unknown>) => {
      const data = answer.data as Record<string, unknown> | Record<string, unknown>[] | null | undefined;
      const id = Array.isArray(data) ? data[0]?.id : data?.id;
      if (String(answer.code) === '200') Object.assign(entry, { answer, id, at: now() });
      return answer;
    };
    const cached = mdd.get(cacheKey);
    if (cached && !cached.answer) {
      stats.count('202');
      return sendJson(res, { code: '202', message: '请求正在处理中，请稍后重试' });
    }
    if (cached?.answer && now() - cached.at <= MDD_TTL_MS) {
      stats.count('mdd_replay');
      if (faults.take('lostAnswerNext')) return lose(res);
      return sendJson(res, cached.answer);
    }
    if (cached?.answer) {
      stats.count('mdd_duplicate');
      return sendJson(res, { code: '100004', message: '重复请求', data: { id: cached.id } });
    }
    if (faults.take('processingNext')) {
      const entry: MddEntry = { at: now() };
      mdd.set(cacheKey, entry);
      stats.count('202');
      setTimeout(() => remember(entry, apply()), faults.current.processingMs ?? 1000);
      return sendJson(res, { code: '202', message: '请求正在处理中，请稍后重试' });
    }
    const entry: MddEntry = { at: now() };
    mdd.set(cacheKey, entry);
    const answer = remember(entry, apply());
    if (String(answer.code) !== '200') mdd.delete(cacheKey); // only a success is remembered
    if (faults.take('lostAnswerNext')) return lose(res);
    return sendJson(res, answer);
  }

  function finish(kindName: string, record: Record<string, unknown>): Record<string, unknown> {
    const outcome = state.save(kindName, record);
    if (!outcome.ok) {
      stats.count('999');
      return { code: '999', message: outcome.message };
    }
    return { code: '200', message: '操作成功', data: state.view(outcome.document) };
  }

  function listOf(kindName: string, body: Record<string, unknown>): Record<string, unknown> {
    let documents = state.documentsOf(kindName);
    if (typeof body.code === 'string' && body.code !== '')
      documents = documents.filter((document) => document.code === body.code);
    // EFI lists filter by the business key as top-level fields.
    for (const field of ['extSystemCode', 'extVouchCode'])
      if (typeof body[field] === 'string' && body[field] !== '')
        documents = documents.filter((document) => document.header[field] === body[field]);
    for (const filter of Array.isArray(body.simpleVOs) ? (body.simpleVOs as Record<string, unknown>[]) : []) {
      documents = documents.filter((document) => matches(document, filter));
    }
    const pageIndex = Math.max(1, Number(body.pageIndex ?? 1));
    const pageSize = Math.max(1, Number(body.pageSize ?? 10));
    const rows =
      body.isSum === true
        ? documents.map((document) => headRow(document))
        : documents.flatMap((document) => document.lines.map((line) => lineRow(kindName, document, line)));
    return {
      pageIndex,
      pageSize,
      recordCount: rows.length,
      pageCount: Math.ceil(rows.length / pageSize),
      recordList: rows.slice((pageIndex - 1) * pageSize, pageIndex * pageSize),
    };
  }

  function headRow(document: StoredDocument): Record<string, unknown> {
    return {
      id: document.id,
      code: document.code,
      status: document.status,
      pubts: document.pubts,
      vouchdate: document.header.vouchdate,
      out_sys_code: document.header.out_sys_code,
      extSystemCode: document.header.extSystemCode,
      extVouchCode: document.header.extVouchCode,
      ...writeOffView(document),
    };
  }

  /**
   * One row per line (isSum false): the header's scalar fields and the line's flattened into one record, as the real
   * lists do (their exact column names beyond code/id/details_id/product_cCode/qty/oriSum/status/pubts are not in the
   * research: docs/yonyou.md §6) — references as the codes they were saved with, plus `product_cCode` and
   * `warehouse_code` resolved. 价税合计 `oriSum` as saved, or derived like YonSuite does: qty × 含税单价, to the cent.
   */
  function lineRow(kindName: string, document: StoredDocument, line: StoredDocument['lines'][number]): Record<string, unknown> {
    const names = BILL_KINDS[kindName]?.lineFields;
    const scalars = (record: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(record).filter(([, value]) => value === null || typeof value !== 'object'));
    const warehouse = names ? line[names.warehouse] : (line.warehouse ?? document.header.warehouse ?? document.header.outwarehouse);
    const derived =
      line.oriSum === undefined && line.oriTaxUnitPrice !== undefined && line.qty !== undefined
        ? { oriSum: new Decimal(String(line.qty)).times(String(line.oriTaxUnitPrice)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2) }
        : {};
    return {
      ...scalars(document.header),
      ...scalars(line),
      ...derived,
      ...headRow(document),
      details_id: line.id,
      product_cCode: state.resolve('product', names ? line[names.product] : line.product)?.code,
      warehouse_code: state.resolve('warehouse', warehouse)?.code,
    };
  }

  function matches(document: StoredDocument, filter: Record<string, unknown>): boolean {
    const field = String(filter.field ?? '');
    const value =
      field === 'code'
        ? document.code
        : field === 'pubts'
          ? document.pubts
          : field === 'id'
            ? document.id.toString()
            : String(document.header[field] ?? '');
    const one = filter.value1;
    switch (filter.op) {
      case 'eq':
        return value === String(one);
      case 'in':
        return (Array.isArray(one) ? one.map(String) : String(one).split(',')).includes(value);
      case 'egt':
        return value >= String(one);
      case 'between':
        return value >= String(one) && value <= String(filter.value2);
      default:
        return true;
    }
  }

  function lose(res: Response): void {
    stats.count('lost_answer');
    dropConnection(res.req.socket, 0);
  }

  const server = await listen(app, options);
  baseUrl = server.url;
  return {
    url: server.url,
    port: server.port,
    state,
    vouchers,
    masterData,
    stats,
    faults,
    setFaults: (next) => void faults.merge(next),
    advanceClock: (ms) => void (clockOffset += ms),
    tokensIssued: () => stats.counts.token ?? 0,
    close: () => server.close(),
  };
}

function sendJson(res: Response, value: unknown): void {
  res.type('application/json').send(toJson(value));
}
