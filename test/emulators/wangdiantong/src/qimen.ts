import express, { type Express, type Request, type Response } from 'express';
import { parseBeijingTime } from '@yecai/common';
import { QJB_ERRORS, WDT_DOCUMENT_TYPES, WDT_MASTER, WDT_PROTOCOL, type WdtDocumentType } from './protocol';
import type { Paging } from './queries';
import { normaliseQimenMethod, qimenWdtSign, topSign } from './signing';

/**
 * 旗舰版 through 奇门 (奇门自定义接口, source-apis §3.8): `POST /router/qm` (and `/router/qmtest`) with TOP params
 * (`app_key`, `method` = `<customer prefix>.wdt.<lower-cased 旗舰版 method>`, `timestamp`, `v=2.0`, `sign_method=md5`,
 * `format=json`, `target_app_key`, `wdt3_customer_id`) plus the WDT params (`wdt_appkey`, `wdt_salt`, `datetime`,
 * `pager` and `params` as JSON strings, `wdt_sign`). Two signatures: TOP's outer one with the 奇门 app secret,
 * the inner `wdt_sign` with the WDT secret. Answers `{"response":{"status":0,"data":{…}}}`; gateway failures
 * `{"error_response":{code,msg,sub_code,sub_msg}}`.
 */

export interface WdtQimenApp {
  /** 奇门 app key and secret (the outer TOP signature). */
  appKey: string;
  appSecret: string;
  /** WDT's app key in 奇门 (`target_app_key`). */
  targetAppKey: string;
}

export const DEFAULT_QIMEN_APP: WdtQimenApp = { appKey: 'qm_ak', appSecret: 'qm_secret', targetAppKey: 'wdt_qm_target' };

/** TOP platform errors [chosen codes from TOP's public table: 25 signature, 29 app key, 31 timestamp, 22 method]. */
const TOP_ERRORS = {
  badAppKey: { code: 29, msg: 'Invalid app Key', sub_code: 'isv.appkey-not-exists', sub_msg: 'app_key不存在' },
  badSign: { code: 25, msg: 'Invalid signature', sub_code: 'isv.invalid-signature', sub_msg: '签名无效' },
  badTimestamp: { code: 31, msg: 'Invalid timestamp', sub_code: 'isv.invalid-timestamp', sub_msg: '时间戳超出允许范围(±10分钟)' },
  badMethod: { code: 22, msg: 'Invalid method', sub_code: 'isv.method-not-exists', sub_msg: '接口不存在' },
} as const;

const TOP_TIMESTAMP_TOLERANCE_MS = 10 * 60_000;

type QimenAnswer = { error: { code: number; message: string } } | { list: Record<string, unknown>[]; listKey: string; total: number };

export function mountQimen(
  app: Express,
  context: {
    apps: WdtQimenApp[];
    qjbAccounts: Array<{ sid: string; key: string; secret: string; salt: string }>;
    now: () => number;
    count: (key: string) => void;
    gate: (res: Response, quotaKey: string) => Promise<'done' | { code: number; message: string } | (() => void)>;
    answer: (documentType: WdtDocumentType | undefined, master: string, params: Record<string, unknown>, paging: Paging) => QimenAnswer;
  },
): void {
  const methods = new Map<string, { documentType?: WdtDocumentType; master?: string }>();
  for (const type of WDT_DOCUMENT_TYPES) methods.set(`wdt.${WDT_PROTOCOL[type].qjbMethod.toLowerCase()}`, { documentType: type });
  for (const entry of Object.values(WDT_MASTER)) {
    methods.set(`wdt.${entry.qjbMethod.toLowerCase()}`, { master: entry.qybScript });
  }

  const handler = async (req: Request, res: Response) => {
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...req.query, ...(req.body as Record<string, unknown>) })) params[key] = String(value);
    context.count(`qimen:${params.method ?? ''}`);
    const gatewayError = (error: (typeof TOP_ERRORS)[keyof typeof TOP_ERRORS]) => {
      context.count(`qimen_error_${error.code}`);
      res.json({ error_response: { ...error, request_id: `emu${Date.now().toString(36)}` } });
    };
    const reply = (body: Record<string, unknown>) => {
      context.count(body.status === 0 ? 'ok' : `qjb_error_${String(body.status)}`);
      res.json({ response: body });
    };
    const qimenApp = context.apps.find((candidate) => candidate.appKey === params.app_key);
    if (!qimenApp || params.target_app_key !== qimenApp.targetAppKey) return gatewayError(TOP_ERRORS.badAppKey);
    if (topSign(params, qimenApp.appSecret) !== (params.sign ?? '').toUpperCase()) return gatewayError(TOP_ERRORS.badSign);
    let timestampMs: number;
    try {
      timestampMs = parseBeijingTime(params.timestamp, 'timestamp');
    } catch {
      return gatewayError(TOP_ERRORS.badTimestamp);
    }
    if (Math.abs(context.now() - timestampMs) > TOP_TIMESTAMP_TOLERANCE_MS) return gatewayError(TOP_ERRORS.badTimestamp);
    const target = methods.get(normaliseQimenMethod(params.method ?? '').toLowerCase());
    if (!target) return gatewayError(TOP_ERRORS.badMethod);

    const account = context.qjbAccounts.find((candidate) => candidate.key === params.wdt_appkey);
    if (!account || (params.wdt3_customer_id !== undefined && params.wdt3_customer_id !== account.sid)) {
      return reply(QJB_ERRORS.badKey);
    }
    if (account.salt !== params.wdt_salt || qimenWdtSign(params, account.secret) !== params.wdt_sign) {
      return reply(QJB_ERRORS.badSign);
    }
    let pager: Record<string, unknown> | undefined;
    let business: Record<string, unknown> = {};
    try {
      pager = params.pager === undefined ? undefined : (JSON.parse(params.pager) as Record<string, unknown>);
      business = params.params === undefined ? {} : (JSON.parse(params.params) as Record<string, unknown>);
    } catch {
      return reply(QJB_ERRORS.badBody);
    }
    if (!pager || pager.page_size === undefined) return reply(QJB_ERRORS.pagerMissing);
    const pageNo = Number(pager.page_no ?? 0);
    const pageSize = Number(pager.page_size);
    if (!Number.isInteger(pageNo) || pageNo < 0 || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
      return reply(QJB_ERRORS.pageSize);
    }
    const gated = await context.gate(res, `qimen:${account.key}:${params.method}`);
    if (gated === 'done') return;
    if (typeof gated !== 'function') return reply({ status: gated.code, message: gated.message });
    const answer = context.answer(target.documentType, target.master ?? '', business, { pageNo, pageSize });
    if ('error' in answer) return reply({ status: answer.error.code, message: answer.error.message });
    reply({
      status: 0,
      message: 'ok',
      data: { ...(String(pager.calc_total ?? '') === '1' ? { total_count: answer.total } : {}), [answer.listKey]: answer.list },
    });
  };
  const parse = express.urlencoded({ extended: false, limit: '1mb' });
  app.post('/router/qm', parse, handler);
  app.post('/router/qmtest', parse, handler);
}
