import express, { type Request, type Response } from 'express';
import { formatBeijingTime } from '@yecai/common';
import {
  CallStats,
  CallWindow,
  FaultKnobs,
  answerGatewayFault,
  delay,
  dropConnection,
  listen,
  sendGatewayError,
  seededRandom,
  type GatewayFaults,
} from '@yecai/emulator-kit';
import { mountAdmin } from './admin';
import { DEFAULT_QIMEN_APP, mountQimen, type WdtQimenApp } from './qimen';
import { generateDocuments, type GenerateDocumentsOptions } from './generator';
import {
  MAX_PAGE_SIZE,
  QJB_ERRORS,
  QJB_TIMESTAMP_TOLERANCE_S,
  QYB_DEFAULT_PAGE_SIZE,
  QYB_ERRORS,
  QYB_TIMESTAMP_TOLERANCE_S,
  WDT_DOCUMENT_TYPES,
  WDT_MASTER,
  WDT_PROTOCOL,
  ZERO_DATE,
  type WdtDocumentType,
} from './protocol';
import { queryDocuments, queryGoods, queryProviders, queryShops, queryWarehouses, type Page, type Paging, type QueryOutcome, type QueryProblem } from './queries';
import { qjbSign, qjbTimestamp, qybSign } from './signing';
import { WdtStore, type StoredDocument } from './store';
import { renderQjb, renderQyb, type At, type Fields } from './values';
import { WDT_PD_PUSH, pushStockSyncByPd } from './pd-push';
import { WDT_PUSH, pushOtherIn, pushOtherOut, pushPurchaseIn, pushPurchaseReturn, pushTransfer } from './push';
import { WDT_GOODS_PUSH, pushGoods } from './goods-push';
import type { WdtWorldInput } from './world';

/** 企业版 credentials: sid (卖家账号), appkey, appsecret. */
export interface WdtQybAccount {
  sid: string;
  appkey: string;
  appsecret: string;
}

/** 旗舰版 credentials: the vendor's appsecret is "secret:salt". */
export interface WdtQjbAccount {
  sid: string;
  key: string;
  secret: string;
  salt: string;
}

/** Gateway faults (5xx, lost answers, throttle bursts alternating call-rate and concurrency texts, latency) plus: */
export interface WdtFaults extends GatewayFaults {
  /** The next N API calls are refused as wrongly signed, whatever their signature. */
  badSignBurst?: number;
  /**
   * Probability (seeded) that a document, right after it is first served, is modified again: its `modified`
   * moves to the server's now (+ lateUpdateDelayMs), so it leaves the window that was just read.
   */
  lateUpdateRate?: number;
  lateUpdateDelayMs?: number;
  /** The next N pushes are applied, then their answer is lost (the connection is cut): the writer cannot know. */
  lostAnswerNext?: number;
  /** While true every API call answers HTTP 503 (an outage), nothing is read or written. */
  down?: boolean;
  /** Pushes are applied at once and answered this much later: a window to kill the writer between write and record. */
  holdAnswerMs?: number;
}

export interface WdtEmulatorOptions {
  port?: number;
  host?: string;
  seed?: number;
  qybAccounts?: WdtQybAccount[];
  qjbAccounts?: WdtQjbAccount[];
  /** 奇门 apps allowed to call 旗舰版 through `/router/qm`. */
  qimenApps?: WdtQimenApp[];
  /** Master data at start; the default world when `documents` is given and no world is. */
  world?: WdtWorldInput;
  /** Generated documents at start. */
  documents?: GenerateDocumentsOptions;
  /** Server-side quotas per account (企业版 per sid, 旗舰版 per key+method): calls per minute, calls in flight. */
  rateLimits?: { perMinute: number; concurrent: number };
  faults?: WdtFaults;
  /** Server clock (epoch ms); tests freeze or shift it. */
  now?: () => number;
}

export interface WdtEmulator {
  url: string;
  port: number;
  store: WdtStore;
  qybAccounts: WdtQybAccount[];
  qjbAccounts: WdtQjbAccount[];
  qimenApps: WdtQimenApp[];
  setFaults(faults: WdtFaults): void;
  /** Counters by outcome and by API (`ok`, `throttled`, `qyb:stockout_order_query_trade.php`, …). */
  stats: Record<string, number>;
  close(): Promise<void>;
}

export const DEFAULT_QYB_ACCOUNT: WdtQybAccount = { sid: 'wdt_test', appkey: 'wdt_ak', appsecret: 'wdt_secret' };
export const DEFAULT_QJB_ACCOUNT: WdtQjbAccount = { sid: 'wdt_test', key: 'wdt_key', secret: 'wdt_qjb_secret', salt: 'wdt_salt' };

/** What one API call resolved to, before the edition renders it. */
type Answer = { error: { code: number; message: string } } | { list: Record<string, unknown>[]; listKey: string; total: number };

const QYB_DOCUMENT_SCRIPTS = new Map<string, WdtDocumentType>(WDT_DOCUMENT_TYPES.map((type) => [WDT_PROTOCOL[type].qybScript, type]));
const QJB_DOCUMENT_METHODS = new Map<string, WdtDocumentType>(WDT_DOCUMENT_TYPES.map((type) => [WDT_PROTOCOL[type].qjbMethod, type]));

/** The 企业版 write scripts: each runs behind the same gate and the same lost/held answer faults. */
const QYB_WRITES = new Map<string, (store: WdtStore, params: Record<string, string>) => Record<string, unknown>>([
  [WDT_PUSH.purchaseIn.qybScript, pushPurchaseIn],
  [WDT_PUSH.purchaseReturn.qybScript, pushPurchaseReturn],
  [WDT_PUSH.otherIn.qybScript, pushOtherIn],
  [WDT_PUSH.otherOut.qybScript, pushOtherOut],
  [WDT_PUSH.transfer.qybScript, pushTransfer],
  [WDT_GOODS_PUSH.qybScript, pushGoods],
  [WDT_PD_PUSH.qybScript, pushStockSyncByPd],
]);

export function createWangdiantongApp(options: WdtEmulatorOptions = {}) {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now;
  const qybAccounts = (options.qybAccounts ?? [DEFAULT_QYB_ACCOUNT]).map((account) => ({ ...account }));
  const qjbAccounts = (options.qjbAccounts ?? [DEFAULT_QJB_ACCOUNT]).map((account) => ({ ...account }));
  const qimenApps = (options.qimenApps ?? [DEFAULT_QIMEN_APP]).map((qimenApp) => ({ ...qimenApp }));
  const limits = options.rateLimits ?? { perMinute: 600, concurrent: 5 };
  const store = new WdtStore(now);
  if (options.world) store.seedWorld(options.world);
  if (options.documents) generateDocuments(store, seed, options.documents);
  const faults = new FaultKnobs<WdtFaults>(options.faults);
  const faultRandom = seededRandom(seed ^ 0x5eed);
  const lateRandom = seededRandom(seed ^ 0x1a7e);
  const lateUpdated = new Set<string>();
  const stats = new CallStats();
  const count = (key: string) => stats.count(key);
  const calls = new CallWindow(60_000); // per quota key, accepted calls only
  const inFlight = new Map<string, number>();

  /**
   * Faults and quotas shared by both editions. Returns 'done' when it already answered (timeout, 5xx), an error
   * to render, or 'go' with a release function for the concurrency slot.
   */
  const gate = async (
    res: Response,
    quotaKey: string,
    errors: { badSign: { code: number; message: string }; perMinute: { code: number; message: string }; concurrency: { code: number; message: string } },
  ): Promise<'done' | { code: number; message: string } | (() => void)> => {
    if (faults.take('badSignBurst')) return errors.badSign;
    if (faults.take('throttleBurst')) {
      count('throttled');
      return (faults.current.throttleBurst ?? 0) % 2 === 0 ? errors.perMinute : errors.concurrency;
    }
    const at = now();
    const recentCalls = calls.countWithin(quotaKey, at);
    if ((inFlight.get(quotaKey) ?? 0) >= limits.concurrent) {
      count('throttled');
      return errors.concurrency;
    }
    if (recentCalls >= limits.perMinute) {
      count('throttled');
      return errors.perMinute;
    }
    calls.record(quotaKey, at);
    if (answerGatewayFault(faults, res, faultRandom, stats)) return 'done';
    inFlight.set(quotaKey, (inFlight.get(quotaKey) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      inFlight.set(quotaKey, (inFlight.get(quotaKey) ?? 1) - 1);
    };
    res.on('close', release);
    await delay(faults.current.latencyMs);
    return release;
  };

  /** After a page is served, some documents are modified again (the late-update fault). */
  const maybeLateUpdate = (documents: StoredDocument[]) => {
    const rate = faults.current.lateUpdateRate ?? 0;
    if (rate <= 0) return;
    for (const document of documents) {
      const key = `${document.type}:${document.id}`;
      if (lateUpdated.has(key) || lateRandom() >= rate) continue;
      lateUpdated.add(key);
      store.modifyDocument(document.type, document.id, now() + (faults.current.lateUpdateDelayMs ?? 1000), {
        fields: { remark: '发货后修改备注' },
      });
      count('late_update');
    }
  };

  const qjbGateErrors = {
    badSign: { code: QJB_ERRORS.badSign.status, message: QJB_ERRORS.badSign.message },
    perMinute: { code: QJB_ERRORS.perMinute.status, message: QJB_ERRORS.perMinute.message },
    concurrency: { code: QJB_ERRORS.concurrency.status, message: QJB_ERRORS.concurrency.message },
  };

  const app = express();
  app.disable('x-powered-by');
  // An outage: every API call (not the control API) answers 503 from the gateway; nothing is read or written.
  app.use((req, res, next) => {
    if (!faults.current.down || req.path.startsWith('/__admin')) return next();
    count('down');
    sendGatewayError(res, 503, 'Service Unavailable');
  });

  // ---- 企业版: POST /openapi2/<script>.php, form-urlencoded ----
  app.post('/openapi2/:script', express.urlencoded({ extended: false, limit: '1mb' }), async (req: Request, res: Response) => {
    const script = String(req.params.script);
    count(`qyb:${script}`);
    const reply = (body: Record<string, unknown>) => {
      count(body.code === 0 ? 'ok' : `qyb_error_${String(body.code)}`);
      res.json(body);
    };
    const params = (req.body ?? {}) as Record<string, string>;
    for (const name of ['sid', 'appkey', 'timestamp', 'sign']) {
      if (typeof params[name] !== 'string' || params[name] === '') return reply(QYB_ERRORS.missingParam(name));
    }
    const account = qybAccounts.find((candidate) => candidate.sid === params.sid);
    if (!account) return reply(QYB_ERRORS.badSid);
    if (account.appkey !== params.appkey) return reply(QYB_ERRORS.badAppkey);
    if (qybSign(params, account.appsecret) !== params.sign) return reply(QYB_ERRORS.badSign);
    const timestamp = Number(params.timestamp);
    if (!Number.isInteger(timestamp) || Math.abs(now() / 1000 - timestamp) > QYB_TIMESTAMP_TOLERANCE_S) {
      return reply(QYB_ERRORS.badTimestamp);
    }
    // The writes: the same gate, then the same lost/held answer faults, whichever document they push.
    const write = QYB_WRITES.get(script);
    if (write) {
      const gated = await gate(res, `qyb:${account.sid}`, QYB_ERRORS);
      if (gated === 'done') return;
      if (typeof gated !== 'function') return reply(gated);
      const answer = write(store, params);
      await delay(faults.current.holdAnswerMs);
      if (faults.take('lostAnswerNext')) {
        // Applied (or refused) on the server; the answer never reaches the caller.
        count('lost_answer');
        dropConnection(req.socket, 0);
        return;
      }
      return reply(answer);
    }
    const documentType = QYB_DOCUMENT_SCRIPTS.get(script);
    const isMaster = Object.values(WDT_MASTER).some((entry) => entry.qybScript === script);
    if (!documentType && !isMaster) return reply(QYB_ERRORS.unknownScript);

    const pageNo = params.page_no === undefined || params.page_no === '' ? 0 : Number(params.page_no);
    const pageSize = params.page_size === undefined || params.page_size === '' ? QYB_DEFAULT_PAGE_SIZE : Number(params.page_size);
    if (!Number.isInteger(pageNo) || pageNo < 0) return reply(QYB_ERRORS.pageNo);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) return reply(QYB_ERRORS.pageSize);

    const gated = await gate(res, `qyb:${account.sid}`, QYB_ERRORS);
    if (gated === 'done') return;
    if (typeof gated !== 'function') return reply(gated);
    const answer = answerQuery({ documentType, master: script, params, paging: { pageNo, pageSize }, edition: 'qyb' });
    if ('error' in answer) return reply(answer.error);
    // total_count is computed on page 0 only (docs: accurate only there); later pages omit it.
    reply({ code: 0, message: 'ok', ...(pageNo === 0 ? { total_count: answer.total } : {}), [answer.listKey]: answer.list });
  });

  // ---- 旗舰版: POST /openapi?sid&key&salt&method&v&timestamp&sign&page_size&page_no&calc_total, body = JSON array ----
  app.post('/openapi', express.text({ type: () => true, limit: '1mb' }), async (req: Request, res: Response) => {
    const query = Object.fromEntries(Object.entries(req.query).map(([key, value]) => [key, String(value)]));
    const method = query.method ?? '';
    count(`qjb:${method}`);
    const reply = (body: Record<string, unknown>) => {
      count(body.status === 0 ? 'ok' : `qjb_error_${String(body.status)}`);
      res.json(body);
    };
    const fail = (error: { status: number; message: string }) => reply(error);
    for (const name of ['sid', 'key', 'salt', 'method', 'v', 'timestamp', 'sign']) {
      if (!query[name]) return fail(QJB_ERRORS.missingParam(name));
    }
    const account = qjbAccounts.find((candidate) => candidate.sid === query.sid);
    if (!account) return fail(QJB_ERRORS.badSid);
    if (account.key !== query.key) return fail(QJB_ERRORS.badKey);
    const body = typeof req.body === 'string' ? req.body : '';
    if (account.salt !== query.salt || qjbSign(query, body, account.secret) !== query.sign) return fail(QJB_ERRORS.badSign);
    const timestamp = Number(query.timestamp);
    if (!Number.isInteger(timestamp) || Math.abs(qjbTimestamp(now()) - timestamp) > QJB_TIMESTAMP_TOLERANCE_S) {
      return fail(QJB_ERRORS.badTimestamp);
    }
    if (query.v !== '1.0') return fail(QJB_ERRORS.badVersion);
    const documentType = QJB_DOCUMENT_METHODS.get(method);
    const master = Object.values(WDT_MASTER).find((entry) => entry.qjbMethod === method)?.qybScript;
    if (!documentType && !master) return fail(QJB_ERRORS.badMethod);
    let args: unknown;
    try {
      args = JSON.parse(body === '' ? '[]' : body);
    } catch {
      return fail(QJB_ERRORS.badBody);
    }
    if (!Array.isArray(args) || (args[0] !== undefined && (typeof args[0] !== 'object' || args[0] === null))) {
      return fail(QJB_ERRORS.badBody);
    }
    const params = (args[0] ?? {}) as Record<string, unknown>;
    if (query.page_size === undefined || query.page_no === undefined) return fail(QJB_ERRORS.pagerMissing);
    const pageNo = Number(query.page_no);
    const pageSize = Number(query.page_size);
    if (!Number.isInteger(pageNo) || pageNo < 0 || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      return fail(QJB_ERRORS.pageSize);
    }
    const gated = await gate(res, `qjb:${account.key}:${method}`, qjbGateErrors);
    if (gated === 'done') return;
    if (typeof gated !== 'function') return fail({ status: gated.code, message: gated.message });
    const answer = answerQuery({ documentType, master: master ?? '', params, paging: { pageNo, pageSize }, edition: 'qjb' });
    if ('error' in answer) return fail({ status: answer.error.code, message: answer.error.message });
    reply({
      status: 0,
      data: { ...(query.calc_total === '1' ? { total_count: answer.total } : {}), [answer.listKey]: answer.list },
    });
  });

  function answerQuery(request: {
    documentType: WdtDocumentType | undefined;
    master: string;
    params: Record<string, unknown>;
    paging: Paging;
    edition: 'qyb' | 'qjb';
  }): Answer {
    const { documentType, params, paging, edition } = request;
    const problemOf = (problem: QueryProblem): Answer => {
      const table = edition === 'qyb' ? QYB_ERRORS : QJB_ERRORS;
      const error =
        problem.kind === 'missingWindow' ? table.missingWindow
        : problem.kind === 'badTime' ? table.badTime(problem.field)
        : problem.kind === 'window' ? table.window(problem.maxMs)
        : edition === 'qyb' ? QYB_ERRORS.windowOrder
        : QJB_ERRORS.badTime('end_time');
      return { error: { code: 'code' in error ? error.code : error.status, message: error.message } };
    };
    const renderFields = (fields: Fields) => (edition === 'qyb' ? renderQyb(fields) : renderQjb(fields));
    const fromPage = (page: Page<Fields>, listKey: string): Answer => ({ list: page.rows.map(renderFields), listKey, total: page.total });

    if (documentType) {
      const outcome: QueryOutcome<StoredDocument> = queryDocuments(store, documentType, edition, params, paging);
      if ('problem' in outcome) return problemOf(outcome.problem);
      const protocol = WDT_PROTOCOL[documentType];
      const list = outcome.page.rows.map((document) =>
        edition === 'qyb' ? renderQyb(store.fields(document)) : renderQjbDocument(store, document),
      );
      maybeLateUpdate(outcome.page.rows);
      return { list, listKey: edition === 'qyb' ? protocol.qybListKey : protocol.qjbListKey, total: outcome.page.total };
    }
    const listKeyOf = (entry: { qybListKey: string; qjbListKey: string }) => (edition === 'qyb' ? entry.qybListKey : entry.qjbListKey);
    if (request.master === WDT_MASTER.shops.qybScript) return fromPage(queryShops(store, params, paging, edition), listKeyOf(WDT_MASTER.shops));
    if (request.master === WDT_MASTER.warehouses.qybScript) {
      return fromPage(queryWarehouses(store, params, paging, edition), listKeyOf(WDT_MASTER.warehouses));
    }
    if (request.master === WDT_MASTER.providers.qybScript) {
      return fromPage(queryProviders(store, params, paging, edition), listKeyOf(WDT_MASTER.providers));
    }
    const goods = queryGoods(store, params, paging);
    if ('problem' in goods) return problemOf(goods.problem);
    return fromPage(goods.page, listKeyOf(WDT_MASTER.goods));
  }

  mountQimen(app, {
    apps: qimenApps,
    qjbAccounts,
    now,
    count,
    gate: (res, quotaKey) => gate(res, quotaKey, qjbGateErrors),
    answer: (documentType, master, params, paging) => answerQuery({ documentType, master, params, paging, edition: 'qjb' }),
  });

  mountAdmin(app, { store, seed, now, stats, faults });

  // Unknown paths: a business error with HTTP 200, like the gateway.
  app.use((_req, res) => {
    count('unknown_path');
    res.json(QYB_ERRORS.unknownScript);
  });

  return {
    app,
    store,
    qybAccounts,
    qjbAccounts,
    qimenApps,
    stats: stats.counts,
    setFaults: (next: WdtFaults) => {
      faults.merge(next);
    },
  };
}

/**
 * 旗舰版 shapes: numbers stay numbers, created/trade_time/pay_time are ms epochs; transfers send `modified` as an
 * epoch with `modified_date` beside it; sales stockouts carry a `logistics_list`; wms.stockin.Other names its
 * lines `detail_list`.
 */
export function renderQjbDocument(store: WdtStore, document: StoredDocument): Record<string, unknown> {
  const protocol = WDT_PROTOCOL[document.type];
  const record: Record<string, unknown> = renderQjb(store.fields(document), new Set(protocol.qjbEpochFields ?? []));
  const createdMs = (document.built.header.created as At).at ?? document.modifiedMs;
  if (document.type === 'transfer') {
    // Its doc: modified and created as ms epochs, with modified_date / created_date as text.
    record.modified_date = record.modified;
    record.modified = document.modifiedMs;
    record.created_date = formatBeijingTime(createdMs);
  }
  if (document.type === 'refund_in') {
    // As the doc's real example: created_time and check_time ms epochs, created text, shop_id a string, line
    // stockin_num a "2.0000" string beside a numeric num, empty expire_date.
    record.created_time = createdMs;
    record.shop_id = String(record.shop_id);
    record.process_status = 30;
    for (const line of record.details_list as Array<Record<string, unknown>>) {
      line.stockin_num = (line.stockin_num as number).toFixed(4);
      if (line.expire_date === ZERO_DATE) line.expire_date = '';
      line.defect = false;
      line.position_no = '销退暂存';
    }
  }
  if (document.type === 'sales_out') {
    // 旗舰版 (its doc): consign_time only once shipped; 出库单建单时间 as ms epoch, created_date as text.
    if (document.eventMs === null) delete record.consign_time;
    record.order_type = 1;
    record.stock_check_time = createdMs;
    record.created_date = formatBeijingTime(createdMs);
    record.logistics_list = [
      { logistics_no: record.logistics_no, logistics_name: record.logistics_name, logistics_id: record.logistics_id },
    ];
    for (const line of record.details_list as Array<Record<string, unknown>>) {
      line.share_price = line.sell_price;
      line.modified_date = line.modified;
    }
  }
  // 旗舰版 wms.StockPd.queryStockPd keys the document by rec_id (its doc); pd_id is kept beside it.
  if (document.type === 'stock_pd') record.rec_id = document.id;
  if (protocol.qjbDetailsKey !== 'details_list') {
    record[protocol.qjbDetailsKey] = record.details_list;
    delete record.details_list;
  }
  return record;
}

/** Starts the emulator on 127.0.0.1 (port 0 = any free port). */
export async function startWangdiantongEmulator(options: WdtEmulatorOptions = {}): Promise<WdtEmulator> {
  const { app, store, qybAccounts, qjbAccounts, qimenApps, stats, setFaults } = createWangdiantongApp(options);
  const server = await listen(app, options);
  return { url: server.url, port: server.port, store, qybAccounts, qjbAccounts, qimenApps, stats, setFaults, close: server.close };
}
