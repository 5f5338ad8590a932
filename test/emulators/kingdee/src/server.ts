import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Decimal, createLogger, parseWith } from '@yecai/common';
import { CallWindow, FaultKnobs, dropConnection, happens, listen } from '@yecai/emulator-kit';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { FaultsSchema, seededRandom, type Faults } from './faults';
import { DEFAULT_FIXTURE_PATH, FixtureSchema, loadFixture, type Fixture } from './fixture';
import { baseForm, billForm, type BaseFormId } from './forms';
import { businessInfo, executeBillQuery, viewDocument, type BillQueryInput } from './query';
import { pushBills } from './push';
import { KingdeeState, OperationError, pick, type ErrorLine, type SaveParams } from './state';
import { expectedApiSignature, expectedKdSignature } from './signature';

export interface KingdeeEmulatorOptions {
  /** 0 or absent = a free port. */
  port?: number;
  host?: string;
  /** Fixture file path or an already parsed fixture; defaults to fixtures/default.json. */
  seed?: string | Fixture;
  faults?: Faults;
  /** Snapshot file: loaded at start when it exists, written on close and on POST /__admin/snapshot. */
  snapshotPath?: string;
  /** Sliding session idle timeout (real server: 20 minutes). */
  sessionTtlMs?: number;
  /** Accepted clock skew of x-api-timestamp (default ±10 minutes). */
  timestampWindowMs?: number;
  /** Answer signature failures like the public gateway (HTTP 519 + errcode) instead of MsgCode 1. */
  gatewayMode?: boolean;
  /** Seed of the PRNG behind fault rates. */
  randomSeed?: number;
  /** Base path the site lives under (real sites: /k3cloud/). */
  basePath?: string;
}

export interface KingdeeEmulator {
  /** Site URL to configure as serverUrl, e.g. http://127.0.0.1:54321/k3cloud/ */
  url: string;
  port: number;
  state: KingdeeState;
  fixture: Fixture;
  setFaults(faults: Faults): void;
  clearFaults(): void;
  expireSessions(): void;
  /** Count of calls per service name (for assertions and the benchmark). */
  callCounts: Map<string, number>;
  close(): Promise<void>;
}

interface Session {
  id: string;
  acctId: string;
  user: string;
  lcid: number;
  orgNumber: string;
  lastSeen: number;
}

const SESSION_LOST = '会话信息已丢失，请重新登录';
const WRITE_OPS = new Set(['save', 'batchsave', 'push', 'submit', 'audit', 'unaudit', 'delete', 'allocate', 'draft', 'excuteoperation', 'executeoperation']);

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly raw = false,
  ) {}
}

/** JSON with Decimal values written as exact numbers (as the real server writes decimals). */
function toJson(value: unknown): string {
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, current: unknown) {
    const original = key === '' ? current : this[key];
    return original instanceof Decimal ? `\u0000dec:${original.toFixed()}` : current;
  });
  return text.replace(/"\\u0000dec:(-?[0-9.]+)"/g, '$1');
}

function failureStatus(msgCode: number, errors: ErrorLine[]) {
  return { ErrorCode: 500, IsSuccess: false, Errors: errors, SuccessEntitys: [], SuccessMessages: [], MsgCode: msgCode };
}

const failureEnvelope = (msgCode: number, errors: ErrorLine[]) => ({ Result: { ResponseStatus: failureStatus(msgCode, errors) } });
const lostEnvelope = (message = SESSION_LOST) => failureEnvelope(1, [{ FieldName: null, Message: message, DIndex: 0 }]);

/** Starts an emulated Kingdee K/3 Cloud WebAPI site. */
export async function startKingdeeEmulator(options: KingdeeEmulatorOptions = {}): Promise<KingdeeEmulator> {
  const logger = createLogger('kingdee-emulator');
  const fixture = typeof options.seed === 'object' ? parseWith(FixtureSchema, options.seed, 'seed') : loadFixture(options.seed ?? DEFAULT_FIXTURE_PATH);
  const state = new KingdeeState(fixture);
  if (options.snapshotPath) {
    try {
      state.loadSnapshotFile(options.snapshotPath);
      logger.info({ path: options.snapshotPath }, 'snapshot loaded');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const faults = new FaultKnobs<Faults>(parseWith(FaultsSchema, options.faults ?? {}, 'faults'));
  const random = seededRandom(options.randomSeed ?? 42);
  const sessionTtlMs = options.sessionTtlMs ?? 20 * 60_000;
  const windowMs = options.timestampWindowMs ?? 10 * 60_000;
  const basePath = `/${(options.basePath ?? 'k3cloud').replace(/^\/|\/$/g, '')}`;
  const sessions = new Map<string, Session>();
  const callTimes = new CallWindow(1000); // per account and user, every call (refused ones too)
  const callCounts = new Map<string, number>();

  const app = express();
  app.disable('x-powered-by');
  // Content-Type is not relied upon (the Java SDK sends "applicatin/json").
  app.use(express.text({ type: () => true, limit: '64mb' }));

  // ---------------------------------------------------------------- admin
  app.get('/__admin/faults', (_req, res) => void res.json(faults.current));
  app.post('/__admin/faults', (req, res) => {
    try {
      res.json(faults.merge(parseWith(FaultsSchema, JSON.parse(String(req.body || '{}')), 'faults')));
    } catch (error) {
      res.status(400).json({ error: (error as Error).message });
    }
  });
  app.delete('/__admin/faults', (_req, res) => {
    faults.clear();
    res.json(faults.current);
  });
  const adminBody = <S extends z.ZodType>(schema: S, req: Request): z.infer<S> => parseWith(schema, JSON.parse(String(req.body || '{}')), req.path);
  const admin = (handler: (req: Request) => unknown) => (req: Request, res: Response) => {
    try {
      res.type('application/json').send(toJson(handler(req)));
    } catch (error) {
      res.status(400).json({ error: (error as Error).message });
    }
  };
  app.post(
    '/__admin/stock',
    admin((req) => {
      const body = adminBody(z.object({ org: z.string(), material: z.string(), warehouse: z.string(), lot: z.string().default(''), qty: z.union([z.string(), z.number()]) }), req);
      return { qty: state.addStock(body.org, body.material, body.warehouse, body.lot, new Decimal(String(body.qty))) };
    }),
  );
  app.get(
    '/__admin/stock',
    admin((req) => {
      const q = req.query as Record<string, string>;
      return { qty: state.stockOf(q.org ?? '', q.material ?? '', q.warehouse ?? '', q.lot ?? '') };
    }),
  );
  app.post(
    '/__admin/periods/close',
    admin((req) => {
      const body = adminBody(z.object({ org: z.string(), through: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }), req);
      state.closePeriod(body.org, body.through);
      return { closed: body };
    }),
  );
  app.post(
    '/__admin/periods/open',
    admin((req) => {
      const body = adminBody(z.object({ org: z.string() }), req);
      state.openPeriod(body.org);
      return { opened: body.org };
    }),
  );
  app.get(
    '/__admin/bills',
    admin((req) => {
      const formId = String((req.query as Record<string, string>).formId ?? '');
      const forms = formId ? [formId] : [...state.bills.keys()];
      return forms.flatMap((id) => [...state.billsOf(billForm(id)?.formId ?? id).values()]);
    }),
  );
  app.post(
    '/__admin/sessions/expire',
    admin(() => {
      const count = sessions.size;
      sessions.clear();
      return { expired: count };
    }),
  );
  app.post(
    '/__admin/snapshot',
    admin(() => {
      if (!options.snapshotPath) throw new Error('no snapshot path configured (--snapshot)');
      state.saveSnapshotFile(options.snapshotPath);
      return { written: options.snapshotPath };
    }),
  );
  app.get('/__admin/calls', admin(() => Object.fromEntries(callCounts)));

  // ---------------------------------------------------------------- WebAPI
  app.use(async (req, res) => {
    const match = /\/([^/]+)\.common\.kdsvc$/i.exec(req.path);
    if (req.method !== 'POST' || !match) {
      res.status(404).type('text/plain').send('Not Found');
      return;
    }
    const service = match[1]!;
    callCounts.set(service, (callCounts.get(service) ?? 0) + 1);
    const reply = await handle(service, req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'emulator bug');
      return new Reply(200, `response_error:${JSON.stringify({ Message: (error as Error).message, InnerExWrapper: null })}`, true);
    });
    if (reply === undefined) return; // connection deliberately dropped
    if (reply.raw) res.status(reply.status).type('text/plain').send(String(reply.body));
    else res.status(reply.status).type('application/json; charset=utf-8').send(toJson(reply.body));
  });

  async function handle(service: string, req: Request, res: Response): Promise<Reply | undefined> {
    const lower = service.toLowerCase();
    const method = lower.slice(lower.lastIndexOf('.') + 1);
    const now = Date.now();

    // Outages and injected 5xx happen before anything is processed.
    const inOutage = faults.current.down || (faults.current.outages ?? []).some((window) => now >= Date.parse(window.from) && now < Date.parse(window.to));
    if (inOutage) return new Reply(503, '<html><body><h1>503 Service Unavailable</h1></body></html>', true);
    const latency = faults.current.latencyMs;
    if (latency !== undefined) {
      const ms = typeof latency === 'number' ? latency : latency.min + random() * Math.max(0, latency.max - latency.min);
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    }
    if (faults.take('hangNext')) {
      dropConnection(req.socket, faults.current.lostAnswerHangMs ?? 1000);
      return undefined;
    }
    if (faults.take('http5xxNext') || happens(faults.current.http5xxRate, random)) {
      return new Reply(faults.current.http5xxStatus ?? 503, '<html><body><h1>Service Unavailable</h1></body></html>', true);
    }

    if (faults.take('exceptionNext')) {
      return new Reply(200, `response_error:${JSON.stringify({ Message: '未将对象引用设置到对象的实例。', InnerExWrapper: null, InnerException: null })}`, true);
    }
    if (faults.take('malformedNext')) {
      return new Reply(200, { Result: { ResponseStatus: { IsSuccess: 'perhaps', Errors: 'none' } } });
    }
    let body: Record<string, unknown>;
    try {
      const text = String(req.body ?? '');
      body = text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('request body must be a JSON object');
    } catch (error) {
      return new Reply(200, `response_error:${JSON.stringify({ Message: `请求数据格式错误：${(error as Error).message}`, InnerExWrapper: null })}`, true);
    }
    const args = argumentReader(body);

    if (lower.includes('.authservice.')) return login(method, args, res);
    if (lower.endsWith('accountservice.getdatacenterlist')) {
      return new Reply(200, fixture.dataCenters.map((dc) => ({ Id: dc.id, Number: dc.number, Name: dc.name, Version: '8.2.0', GDCID: dc.id, AuthenticationMethods: [{ AuthenticationMethodType: 1, Name: '密码认证' }] })));
    }
    if (!lower.includes('.dynamicformservice.')) return new Reply(404, 'Not Found', true);

    const isQuery = method === 'executebillquery' || method === 'billquery';
    const wrap = (envelope: unknown) => new Reply(200, isQuery ? [[envelope]] : envelope);
    const auth = authenticate(req, res, now);
    if ('reply' in auth) return isQuery && !(auth.reply.body instanceof Array) && auth.reply.status === 200 ? wrap(auth.reply.body) : auth.reply;
    if (faults.take('sessionLostNext')) {
      sessions.delete(auth.session.id);
      return wrap(lostEnvelope());
    }
    const perSecond = faults.current.throttlePerSecond;
    if (perSecond !== undefined) {
      const key = `${auth.session.acctId}|${auth.session.user}`;
      callTimes.record(key, now);
      if (callTimes.countWithin(key, now) > perSecond) {
        return wrap(failureEnvelope(14, [{ FieldName: null, Message: `接口调用频率超过限制（每秒${perSecond}次），请稍后再试`, DIndex: 0 }]));
      }
    }

    let reply: Reply;
    try {
      reply = dispatch(method, args, wrap);
    } catch (error) {
      if (!(error instanceof OperationError)) throw error;
      reply = wrap(failureEnvelope(error.msgCode, error.errors));
    }
    const lossApplies = WRITE_OPS.has(method) && (faults.current.lostAnswerOps?.includes(method) ?? true);
    if (lossApplies && (faults.take('lostAnswerNext') || happens(faults.current.lostAnswerRate, random))) {
      // The write is applied; the answer never arrives.
      dropConnection(req.socket, faults.current.lostAnswerHangMs ?? 0);
      return undefined;
    }
    return reply;
  }

  function dispatch(method: string, args: ReturnType<typeof argumentReader>, wrap: (envelope: unknown) => Reply): Reply {
    switch (method) {
      case 'save':
      case 'batchsave':
      case 'draft': {
        const formId = String(args.get('formid', 0) ?? '');
        const data = args.data(1);
        return new Reply(200, save(formId, data, method === 'batchsave'));
      }
      case 'submit':
      case 'audit':
      case 'unaudit':
      case 'delete': {
        const formId = String(args.get('formid', 0) ?? '');
        return new Reply(200, statusOperation(formId, method, args.data(1)));
      }
      case 'push': {
        const formId = String(args.get('formid', 0) ?? '');
        const data = args.data(1);
        const result = pushBills(state, formId, String(pick(data, 'RuleId') ?? ''), targetKeys(data), saveParams(data));
        const status = writeEnvelope(result.successes, result.errors, []).Result.ResponseStatus;
        // ConvertResponseStatus: the conversion itself; ResponseStatus: the target bills' save (kingdee-webapi.md §5.6).
        return new Reply(200, { Result: { ResponseStatus: status, ConvertResponseStatus: { ...status } } });
      }
      case 'allocate': {
        const formId = String(args.get('formid', 0) ?? '');
        const data = args.data(1);
        const def = baseForm(formId);
        if (!def) throw new OperationError(4, [{ FieldName: null, Message: '业务对象不存在或不支持分配', DIndex: 0 }]);
        const ids = (value: unknown) => String(value ?? '').split(',').map((part) => Number(part.trim())).filter((id) => id > 0);
        const result = state.allocate(def.formId, ids(pick(data, 'PkIds')), ids(pick(data, 'TOrgIds')), String(pick(data, 'IsAutoSubmitAndAudit')).toLowerCase() === 'true');
        return new Reply(200, writeEnvelope(result.successes, result.errors, []));
      }
      case 'excuteoperation':
      case 'executeoperation': {
        const formId = String(args.get('formid', 0) ?? '');
        const opNumber = String(args.get('opnumber', 1) ?? '').toLowerCase();
        const data = args.data(2);
        const keys = targetKeys(data);
        const base = baseForm(formId);
        const bill = billForm(formId);
        if (base && (opNumber === 'forbid' || opNumber === 'enable')) {
          const result = state.setForbidden(base.formId, keys, opNumber === 'forbid');
          return new Reply(200, writeEnvelope(result.successes, result.errors, []));
        }
        if (bill && (opNumber === 'cancel' || opNumber === 'uncancel')) {
          const result = state.setCancelled(bill, keys, opNumber === 'cancel');
          return new Reply(200, writeEnvelope(result.successes, result.errors, []));
        }
        if (bill && opNumber === 'unaudit') return new Reply(200, statusOperation(formId, 'unaudit', data));
        throw new OperationError(3, [{ FieldName: null, Message: `操作标识“${opNumber}”在业务对象“${formId}”上不存在或未被模拟`, DIndex: 0 }]);
      }
      case 'view': {
        const formId = String(args.get('formid', 0) ?? '');
        const data = args.data(1);
        const document = viewDocument(state, formId, { Number: pick(data, 'Number'), Id: pick(data, 'Id') });
        return new Reply(200, { Result: { ResponseStatus: null, Result: document } });
      }
      case 'executebillquery':
      case 'billquery': {
        const data = args.data(0) as unknown as BillQueryInput;
        const normalised = Object.fromEntries(['FormId', 'FieldKeys', 'FilterString', 'OrderString', 'TopRowCount', 'StartRow', 'Limit'].map((key) => [key, pick(data as never, key)])) as unknown as BillQueryInput;
        const rows = executeBillQuery(state, normalised);
        if (method === 'executebillquery') return new Reply(200, rows);
        const keys = String(normalised.FieldKeys).split(',').map((key) => key.trim());
        return new Reply(200, rows.map((row) => Object.fromEntries(keys.map((key, i) => [key, row[i]]))));
      }
      case 'querybusinessinfo': {
        const data = args.data(0);
        const info = businessInfo(String(pick(data, 'FormId') ?? ''));
        return new Reply(200, { Result: { ResponseStatus: { IsSuccess: true, Errors: [], SuccessEntitys: [], SuccessMessages: [], MsgCode: 0 }, NeedReturnData: info } });
      }
      default:
        return wrap(failureEnvelope(4, [{ FieldName: null, Message: `emulator: operation ${method} is not emulated`, DIndex: 0 }]));
    }
  }

  function saveParams(data: Record<string, unknown>): SaveParams {
    const flags = String(pick(data, 'InterationFlags') ?? '');
    const returnFields = pick(data, 'NeedReturnFields');
    return {
      isVerifyBaseDataField: String(pick(data, 'IsVerifyBaseDataField')).toLowerCase() === 'true',
      interactionFlags: flags.split(';').filter(Boolean),
      needReturnFields: Array.isArray(returnFields) ? returnFields.map(String) : [],
    };
  }

  function save(formId: string, data: Record<string, unknown>, batch: boolean) {
    const form = billForm(formId);
    const base = form ? undefined : baseForm(formId);
    if (!form && !base) return failureEnvelope(4, [{ FieldName: null, Message: '业务对象不存在', DIndex: 0 }]);
    const params = saveParams(data);
    const model = pick(data, 'Model');
    if (model === undefined || (batch && !Array.isArray(model))) {
      return failureEnvelope(8, [{ FieldName: 'Model', Message: batch ? '参数Model必须是数组' : '参数Model不能为空', DIndex: 0 }]);
    }
    const packages = batch ? (model as unknown[]) : [model];
    const successes: { Id: number; Number: string; DIndex: number }[] = [];
    const errors: ErrorLine[] = [];
    const returnData: Record<string, unknown>[] = [];
    packages.forEach((pkg, index) => {
      const outcome = form ? state.saveBill(form, pkg, index, params) : state.saveBase(base!.formId as BaseFormId, pkg, index, params);
      if (outcome.ok) {
        successes.push({ Id: outcome.id, Number: outcome.number, DIndex: index });
        returnData.push(outcome.returnData);
      } else errors.push(...outcome.errors);
    });
    const envelope = writeEnvelope(successes, errors, []);
    const first = successes[0];
    return {
      Result: {
        ...envelope.Result,
        ...(!batch && first ? { Id: first.Id, Number: first.Number } : {}),
        NeedReturnData: returnData,
      },
    };
  }

  function targetKeys(data: Record<string, unknown>): { numbers: string[]; ids: number[] } {
    const numbersRaw = pick(data, 'Numbers');
    const numbers = Array.isArray(numbersRaw) ? numbersRaw.map(String).filter(Boolean) : typeof numbersRaw === 'string' && numbersRaw ? numbersRaw.split(',') : [];
    const ids = String(pick(data, 'Ids') ?? '').split(',').map((part) => Number(part.trim())).filter((id) => id > 0);
    return { numbers, ids };
  }

  function statusOperation(formId: string, method: string, data: Record<string, unknown>) {
    const op = ({ submit: 'Submit', audit: 'Audit', unaudit: 'UnAudit', delete: 'Delete' } as const)[method as 'submit']!;
    const { numbers, ids } = targetKeys(data);
    if (numbers.length === 0 && ids.length === 0) {
      return failureEnvelope(8, [{ FieldName: null, Message: '参数Numbers和Ids不能同时为空', DIndex: 0 }]);
    }
    const form = billForm(formId);
    const flags = String(pick(data, 'InterationFlags') ?? '').split(';').filter(Boolean);
    if (form) {
      const result = state.billOperation(form, op, { numbers, ids }, flags);
      return writeEnvelope(result.successes, result.errors, result.messages);
    }
    const base = baseForm(formId);
    if (!base) return failureEnvelope(4, [{ FieldName: null, Message: '业务对象不存在', DIndex: 0 }]);
    const result = state.baseOperation(base.formId, op, { numbers, ids }, Number(pick(data, 'CreateOrgId') ?? 0));
    return writeEnvelope(result.successes, result.errors, result.messages);
  }

  function writeEnvelope(successes: { Id: number; Number: string; DIndex: number }[], errors: ErrorLine[], messages: ErrorLine[]) {
    if (errors.length === 0) {
      return { Result: { ResponseStatus: { IsSuccess: true, Errors: [], SuccessEntitys: successes, SuccessMessages: messages, MsgCode: 0 } } };
    }
    return { Result: { ResponseStatus: { ErrorCode: 500, IsSuccess: false, Errors: errors, SuccessEntitys: successes, SuccessMessages: messages, MsgCode: 11 } } };
  }

  // ---------------------------------------------------------------- auth

  function newSession(res: Response, identity: Omit<Session, 'id' | 'lastSeen'>, now: number): Session {
    const session: Session = { ...identity, id: randomUUID(), lastSeen: now };
    sessions.set(session.id, session);
    // No Expires attribute: the Python SDK splits Set-Cookie on commas.
    res.append('Set-Cookie', `kdservice-sessionid=${session.id}; path=${basePath}; HttpOnly`);
    res.append('Set-Cookie', `ASP.NET_SessionId=${randomBytes(12).toString('hex')}; path=/; HttpOnly`);
    return session;
  }

  function presentedSessionId(req: Request): string | undefined {
    const header = req.get('kdservice-sessionid') ?? req.get('SID');
    if (header) return header.trim();
    const cookie = req.get('Cookie') ?? '';
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === 'kdservice-sessionid') return part.slice(eq + 1).trim();
    }
    return undefined;
  }

  function liveSession(id: string | undefined, now: number): Session | undefined {
    if (!id) return undefined;
    const session = sessions.get(id);
    if (!session) return undefined;
    if (now - session.lastSeen > sessionTtlMs) {
      sessions.delete(id);
      return undefined;
    }
    session.lastSeen = now;
    return session;
  }

  function signatureFailure(message: string, errcode: number): { reply: Reply } {
    if (options.gatewayMode) {
      return { reply: new Reply(519, { errcode, description: `${message}[GW]`, description_cn: message }) };
    }
    return { reply: new Reply(200, lostEnvelope(message)) };
  }

  function authenticate(req: Request, res: Response, now: number): { session: Session } | { reply: Reply } {
    const presented = presentedSessionId(req);
    const appKey = req.get('X-Kd-Appkey');
    if (!appKey) {
      const session = liveSession(presented, now);
      return session ? { session } : { reply: new Reply(200, lostEnvelope()) };
    }
    // Signature mode (kingdee-webapi.md §3.2.7).
    const app = fixture.apps.find((candidate) => candidate.appId === appKey);
    if (!app) return signatureFailure('应用ID(X-Kd-Appkey)不存在或未启用第三方系统登录授权', 4002);
    const appDataB64 = req.get('X-Kd-Appdata') ?? '';
    const appData = Buffer.from(appDataB64, 'base64').toString('utf8');
    const [acctId = '', user = '', lcid = '2052', orgNumber = '0'] = appData.split(',');
    if (!fixture.dataCenters.some((dc) => dc.id === acctId) || !app.acctIds.includes(acctId)) {
      return signatureFailure(`数据中心(账套)“${acctId}”不存在或未授权给该应用`, 4002);
    }
    if (!app.users.includes(user)) return signatureFailure(`用户“${user}”未授权给该应用`, 4002);
    if (expectedKdSignature(app.appId, appData, app.appSecret) !== req.get('X-Kd-Signature')) return signatureFailure('签名验证失败(X-Kd-Signature)', 4002);
    const [clientId = ''] = app.appId.split('_');
    if (req.get('X-Api-ClientID') !== clientId) return signatureFailure('X-Api-ClientID与应用ID不匹配', 4002);
    const timestamp = req.get('x-api-timestamp') ?? '';
    const nonce = req.get('x-api-nonce') ?? '';
    if (expectedApiSignature(app.appId, req.originalUrl.split('?')[0]!, nonce, timestamp) !== req.get('X-Api-Signature')) return signatureFailure('签名验证失败(X-Api-Signature)', 4002);
    const stampMs = Number(timestamp) > 1e12 ? Number(timestamp) : Number(timestamp) * 1000;
    if (!Number.isFinite(stampMs) || Math.abs(now - stampMs) > windowMs) return signatureFailure('X-Api-TimeStamp is invalid（请求时间戳已过期）', 4006);
    if (presented) {
      const session = liveSession(presented, now);
      // A replayed session that expired is "lost" even though the signature is valid (observed behaviour).
      return session ? { session } : { reply: new Reply(200, lostEnvelope()) };
    }
    return { session: newSession(res, { acctId, user, lcid: Number(lcid), orgNumber }, now) };
  }

  function login(method: string, args: ReturnType<typeof argumentReader>, res: Response): Reply {
    const now = Date.now();
    const fail = (type: number, message: string) =>
      new Reply(200, { Message: message, MessageCode: null, LoginResultType: type, Context: null, KDSVCSessionId: null, FormId: null, RedirectFormParam: null, FormInputObject: null, ErrorStackTrace: null, Lcid: 0, AccessToken: null, KdAccessResult: null, IsSuccessByAPI: false });
    const acctId = String(args.get('acctid', 0) ?? '');
    const user = String(args.get('username', 1) ?? '');
    const dataCenter = fixture.dataCenters.find((dc) => dc.id === acctId);
    let lcid: number;
    switch (method) {
      case 'logout':
        return new Reply(200, true);
      case 'validateuser':
      case 'validateuser2': {
        const password = String(args.get('password', 2) ?? '');
        lcid = Number(args.get('lcid', method === 'validateuser2' ? 4 : 3) ?? 2052);
        if (!dataCenter) return fail(-1, '数据中心不存在');
        const account = dataCenter.users.find((candidate) => candidate.name === user);
        if (!account || account.password !== password) return fail(0, '用户名或密码错误！');
        break;
      }
      case 'loginbyappsecret': {
        const appId = String(args.get('appid', 2) ?? '');
        const appSecret = String(args.get('appsecret', 3) ?? '');
        lcid = Number(args.get('lcid', 4) ?? 2052);
        const app = fixture.apps.find((candidate) => candidate.appId === appId);
        if (!dataCenter) return fail(-1, '数据中心不存在');
        if (!app || app.appSecret !== appSecret || !app.acctIds.includes(acctId) || !app.users.includes(user)) {
          return fail(-1, '第三方系统登录授权验证失败：应用ID、应用密钥或用户不匹配');
        }
        break;
      }
      case 'loginbysign': {
        const appId = String(args.get('appid', 2) ?? '');
        const timestamp = String(args.get('timestamp', 3) ?? '');
        const sign = String(args.get('sign', 4) ?? '');
        lcid = Number(args.get('lcid', 5) ?? 2052);
        const app = fixture.apps.find((candidate) => candidate.appId === appId);
        if (!dataCenter || !app || !app.users.includes(user)) return fail(-1, '第三方系统登录授权验证失败');
        const parts = [acctId, user, appId, app.appSecret, timestamp].sort().join('');
        const valid = [createHash('sha256'), createHash('sha1')].some((hash) => hash.update(parts, 'utf8').digest('hex') === sign.toLowerCase());
        if (!valid || Math.abs(now - Number(timestamp) * 1000) > windowMs) return fail(-1, '签名验证失败或时间戳已过期');
        break;
      }
      default:
        return fail(-1, `emulator: login stub ${method} is not emulated`);
    }
    const session = newSession(res, { acctId, user, lcid, orgNumber: '0' }, now);
    return new Reply(200, {
      Message: null,
      MessageCode: 'CheckPasswordPolicy',
      LoginResultType: 1,
      Context: { UserLocale: 'zh-CN', DBid: acctId, SessionId: session.id, UserName: user, DataCenterName: dataCenter!.name, DisplayVersion: '8.2.0 (emulator)', CurrentOrganizationInfo: { ID: 1, Name: fixture.organisations[0]!.name } },
      KDSVCSessionId: session.id,
      FormId: null,
      Lcid: lcid,
      IsSuccessByAPI: true,
    });
  }

  // ---------------------------------------------------------------- lifecycle
  const server = await listen(app, options);
  const { port } = server;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}${basePath}/`;
  logger.info({ url }, 'kingdee emulator listening');

  return {
    url,
    port,
    state,
    fixture,
    callCounts,
    setFaults(next) {
      faults.merge(parseWith(FaultsSchema, next, 'faults'));
    },
    clearFaults() {
      faults.clear();
    },
    expireSessions() {
      sessions.clear();
    },
    async close() {
      if (options.snapshotPath) state.saveSnapshotFile(options.snapshotPath);
      await server.close();
    },
  };
}

/**
 * Reads arguments from any of the three body encodings: named (`{"formid":…,"data":…}`, keys
 * case-insensitive), positional (`{"parameters":[…]}` or a JSON string of it) and the .NET envelope.
 */
function argumentReader(body: Record<string, unknown>) {
  let positional: unknown[] | undefined;
  const parameters = pick(body, 'parameters');
  if (Array.isArray(parameters)) positional = parameters;
  else if (typeof parameters === 'string') {
    try {
      const parsed: unknown = JSON.parse(parameters);
      if (Array.isArray(parsed)) positional = parsed;
    } catch {
      positional = undefined;
    }
  }
  const get = (name: string, position: number): unknown => (positional ? positional[position] : pick(body, name));
  return {
    get,
    /** `data` may be an object or a JSON string of one. */
    data(position: number): Record<string, unknown> {
      const raw = get('data', position);
      if (typeof raw === 'string') {
        try {
          const parsed: unknown = JSON.parse(raw);
          return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
        } catch {
          throw new OperationError(8, [{ FieldName: 'data', Message: '参数data不是有效的JSON', DIndex: 0 }]);
        }
      }
      return raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    },
  };
}
