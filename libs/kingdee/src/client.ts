import { createLogger, withRetry, type Logger } from '@yecai/common';
import type { z } from 'zod';
import { resolveKingdeeConnection, type ResolvedKingdeeConnection } from './config';
import {
  KingdeeAuthError,
  KingdeeError,
  KingdeeIndeterminateError,
  KingdeeProtocolError,
  KingdeeSystemError,
  errorFromFailure,
  type KingdeeErrorDetail,
} from './errors';
import { ConnectionLimiter } from './limits';
import {
  AUTH_SERVICE,
  BusinessInfoEnvelopeSchema,
  DYNAMIC_FORM_SERVICE,
  LoginResultSchema,
  ViewEnvelopeSchema,
  PushEnvelopeSchema,
  WriteEnvelopeSchema,
  describeZodError,
  findQueryErrorEnvelope,
  isSessionLost,
  parseJsonWithDecimals,
  serviceUrl,
  toKingdeeJson,
  type QueryRow,
  type ResponseStatus,
} from './protocol';
import type { ModelOf } from './models';
import { buildSignatureHeaders } from './signing';

export interface KingdeeClientDeps {
  logger?: Logger;
  /** Clock in ms (tests); defaults to Date.now. */
  now?: () => number;
  /** Observes every HTTP call (metrics); called with the outcome class name. */
  onCall?: (event: { operation: string; durationMs: number; outcome: string }) => void;
}

/** Options of Save/BatchSave (kingdee-webapi.md §4.2); omitted ones keep Kingdee's defaults. */
export interface SaveOptions {
  needReturnFields?: string[];
  needUpdateFields?: string[];
  isDeleteEntry?: boolean;
  isVerifyBaseDataField?: boolean;
  interactionFlags?: string[];
  validateFlag?: boolean;
  subSystemId?: string;
  /** Extra raw `data` keys (e.g. IsControlPrecision). */
  extra?: Record<string, unknown>;
}

export interface SavedBill {
  id: number;
  number: string;
  /** One object per package with the NeedReturnFields asked for. */
  returnData: Record<string, unknown>;
}

/** Per-bill outcome of BatchSave, in input order: the sink never resends a bill whose outcome is `saved`. */
export type BatchSaveOutcome =
  | { index: number; status: 'saved'; id: number; number: string }
  | { index: number; status: 'failed'; error: KingdeeError; details: KingdeeErrorDetail[] };

export type BillOperation = 'Submit' | 'Audit' | 'UnAudit' | 'Delete';

/** Per-target outcome of `operateEach`, in input order (`key` = the number or id given). */
export type BillOperationOutcome =
  | { index: number; key: string; status: 'done'; id: number; number: string }
  | { index: number; key: string; status: 'failed'; error: KingdeeError; details: KingdeeErrorDetail[] };

/** MsgCodes that concern the call rather than one bill (auth, permission, exception, DB, throttling, licence). */
const WHOLE_CALL_MSG_CODES = new Set([1, 2, 4, 6, 7, 14, 15]);

export interface BillTarget {
  numbers?: string[];
  ids?: (number | string)[];
}

export interface OperationOptions {
  interactionFlags?: string[];
  useOrgId?: number;
  createOrgId?: number;
  networkControl?: boolean;
  extra?: Record<string, unknown>;
}

export interface OperationResult {
  successes: { id: number; number: string; index: number }[];
  messages: string[];
}

/** A bill found by number: FID, FDocumentStatus (Z/A/B/C/D) and FCancelStatus (A normal, B 作废). */
export interface FoundBill {
  id: number;
  documentStatus: string;
  cancelStatus: string;
}

/** A FilterString string literal: single quotes doubled, so values never break out of the filter. */
export function quoteFilterValue(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export interface BillQuery {
  formId: string;
  fieldKeys: string[];
  filter?: string;
  orderBy?: string;
  startRow?: number;
  limit?: number;
  topRowCount?: number;
}

export interface AllocateRequest {
  /** Internal ids of the base-data records in their create org. */
  pkIds: (number | string)[];
  /** Internal ids (not numbers) of the target use-orgs. */
  targetOrgIds: (number | string)[];
  autoSubmitAndAudit?: boolean;
}

/** 下推: the audited source bills (by number) and the conversion rule (e.g. AR_OutStockToReceivableMap). */
export interface PushRequest {
  numbers: string[];
  ruleId: string;
  targetFormId?: string;
}

interface CallMeta {
  operation: string;
  formId?: string | undefined;
  /** A write must never be resent after the request left: no answer means indeterminate. */
  write: boolean;
  billNumbers?: string[];
}

interface HttpAnswer {
  status: number;
  text: string;
}

const SESSION_COOKIE = 'kdservice-sessionid';
/** Connection errors that prove the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * The one place in yecai that speaks Kingdee K/3 Cloud WebAPI. One instance per connection (账套 + user):
 * auth (signature or session), cookie replay, session recovery, rate/concurrency limits, timeouts,
 * retries through `withRetry`, answer validation and error classification.
 */
export class KingdeeClient {
  readonly name: string;
  /** ES-private so secrets never show in JSON.stringify or util.inspect of a client. */
  readonly #connection: ResolvedKingdeeConnection;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly limiter: ConnectionLimiter;
  private readonly onCall: KingdeeClientDeps['onCall'];
  private cookies = new Map<string, string>();
  private sessionId: string | undefined;
  private loggedIn = false;
  private loginInFlight: Promise<void> | undefined;

  constructor(connection: ResolvedKingdeeConnection, deps: KingdeeClientDeps = {}) {
    this.#connection = connection;
    this.name = connection.name;
    this.logger =
      deps.logger ??
      createLogger('kingdee-client', { connection: connection.name, acctId: connection.acctId, user: connection.userName });
    this.now = deps.now ?? Date.now;
    this.onCall = deps.onCall;
    this.limiter = new ConnectionLimiter(connection.limits.callsPerSecond, connection.limits.maxConcurrent);
  }

  /** Builds a client from raw config (validated with zod; secrets resolved from env:/file: references). */
  static fromConfig(input: unknown, deps: KingdeeClientDeps = {}, source?: string): KingdeeClient {
    return new KingdeeClient(resolveKingdeeConnection(input, source), deps);
  }

  // ---------------------------------------------------------------- operations

  /** 保存: creates (FID 0/absent) or updates one bill/base-data record; throws a classified error on failure. */
  async save<F extends string>(formId: F, typedModel: ModelOf<F>, options: SaveOptions = {}): Promise<SavedBill> {
    const model = typedModel as Record<string, unknown>;
    const numbers = typeof model.FBillNo === 'string' ? [model.FBillNo] : [];
    const envelope = await this.write('Save', formId, { ...saveData(options), Model: model }, numbers);
    const status = envelope.Result.ResponseStatus;
    if (!status.IsSuccess) throw failure(status, 'Save', formId);
    const entity = status.SuccessEntitys?.[0];
    const id = envelope.Result.Id ?? entity?.Id;
    if (id === undefined || id === null || id === '' || Number(id) === 0) {
      throw new KingdeeProtocolError(`Kingdee Save ${formId}: success without an Id (Result.Id / SuccessEntitys[0].Id)`, {
        code: 'KINGDEE_BAD_ANSWER',
        operation: 'Save',
        formId,
      });
    }
    return {
      id: Number(id),
      number: envelope.Result.Number ?? entity?.Number ?? '',
      returnData: asRecord(envelope.Result.NeedReturnData?.[0]),
    };
  }

  /**
   * 批量保存: one outcome per model, in input order. A bill that failed carries its own classified error;
   * a bill that succeeded carries FID and number. Whole-call failures (auth, throttling, no answer) throw.
   * BatchCount is never sent, so DIndex is the global package index.
   */
  async batchSave<F extends string>(formId: F, typedModels: ModelOf<F>[], options: SaveOptions = {}): Promise<BatchSaveOutcome[]> {
    const models = typedModels as Record<string, unknown>[];
    if (models.length === 0) return [];
    const numbers = models.map((model) => model.FBillNo).filter((value): value is string => typeof value === 'string');
    const envelope = await this.write('BatchSave', formId, { ...saveData(options), Model: models }, numbers);
    const status = envelope.Result.ResponseStatus;
    const errors = (status.Errors ?? []).map(toDetail);
    // Errors that apply to the call rather than to one package (auth, throttling) fail the whole batch.
    if (!status.IsSuccess && WHOLE_CALL_MSG_CODES.has(status.MsgCode ?? -1)) throw failure(status, 'BatchSave', formId);
    const saved = new Map<number, { id: number; number: string }>();
    for (const entity of status.SuccessEntitys ?? []) {
      saved.set(entity.DIndex, { id: Number(entity.Id), number: entity.Number ?? '' });
    }
    return models.map((_model, index): BatchSaveOutcome => {
      const success = saved.get(index);
      const own = errors.filter((detail) => detail.index === index);
      if (success && own.length === 0) return { index, status: 'saved', id: success.id, number: success.number || String(models[index]?.FBillNo ?? '') };
      const details = own.length > 0 ? own : [{ field: null, message: '金蝶未返回该单据的结果 Kingdee returned no outcome for this package', index }];
      if (own.length === 0 && status.IsSuccess) {
        throw new KingdeeProtocolError(`Kingdee BatchSave ${formId}: no outcome for package ${index}`, {
          code: 'KINGDEE_BAD_ANSWER',
          operation: 'BatchSave',
          formId,
        });
      }
      return { index, status: 'failed', details, error: errorFromFailure({ operation: 'BatchSave', formId, msgCode: status.MsgCode, details }) };
    });
  }

  /** 提交 */
  submit(formId: string, target: BillTarget, options: OperationOptions = {}): Promise<OperationResult> {
    return this.operation('Submit', formId, target, options);
  }

  /** 审核 */
  audit(formId: string, target: BillTarget, options: OperationOptions = {}): Promise<OperationResult> {
    return this.operation('Audit', formId, target, options);
  }

  /** 反审核 */
  unAudit(formId: string, target: BillTarget, options: OperationOptions = {}): Promise<OperationResult> {
    return this.operation('UnAudit', formId, target, options);
  }

  /** 删除 */
  delete(formId: string, target: BillTarget, options: OperationOptions = {}): Promise<OperationResult> {
    return this.operation('Delete', formId, target, options);
  }

  /** 分配: copies base-data records into other use-orgs. */
  async allocate(formId: string, request: AllocateRequest): Promise<OperationResult> {
    const data = {
      PkIds: request.pkIds.join(','),
      TOrgIds: request.targetOrgIds.join(','),
      IsAutoSubmitAndAudit: request.autoSubmitAndAudit ?? false,
    };
    const envelope = await this.write('Allocate', formId, data, []);
    return operationResult(envelope.Result.ResponseStatus, 'Allocate', formId);
  }

  /**
   * 下推 Push (kingdee-webapi.md §4.8): the conversion rule creates the target bills from the audited source bills,
   * linked to them (反写 of the source's 关联数量); the targets are saved, not audited. Both statuses must succeed.
   */
  async push(formId: string, request: PushRequest): Promise<OperationResult> {
    const data = {
      Numbers: request.numbers,
      RuleId: request.ruleId,
      ...(request.targetFormId ? { TargetFormId: request.targetFormId } : {}),
      IsEnableDefaultRule: 'false',
      IsDraftWhenSaveFail: 'false',
    };
    const parsed = await this.invoke(`${DYNAMIC_FORM_SERVICE}.Push`, { formid: formId, data }, { operation: 'Push', formId, write: true, billNumbers: request.numbers });
    const envelope = validate(PushEnvelopeSchema, parsed, 'Push', formId);
    if (envelope.Result.ConvertResponseStatus && !envelope.Result.ConvertResponseStatus.IsSuccess) operationResult(envelope.Result.ConvertResponseStatus, 'Push', formId);
    return operationResult(envelope.Result.ResponseStatus, 'Push', formId);
  }

  /**
   * 通用操作 ExcuteOperation (the SDKs' spelling): e.g. `Forbid`/`Enable` on base data, `Cancel`/`UnCancel`
   * (作废) on bills. opNumbers are per form; throws a classified error if any target fails.
   */
  async executeOperation(formId: string, opNumber: string, target: BillTarget, options: OperationOptions & { parameters?: string } = {}): Promise<OperationResult> {
    if (!target.numbers?.length && !target.ids?.length) {
      throw new KingdeeProtocolError(`${opNumber} ${formId}: give numbers or ids`, { code: 'KINGDEE_BAD_REQUEST', operation: opNumber, formId });
    }
    const data = {
      CreateOrgId: options.createOrgId ?? 0,
      Numbers: target.numbers ?? [],
      Ids: (target.ids ?? []).join(','),
      NetworkCtrl: options.networkControl ?? false,
      ...(options.parameters !== undefined ? { Parameters: options.parameters } : {}),
      ...options.extra,
    };
    const parsed = await this.invoke(`${DYNAMIC_FORM_SERVICE}.ExcuteOperation`, { formid: formId, opNumber, data }, { operation: opNumber, formId, write: true, billNumbers: target.numbers ?? [] });
    const envelope = validate(WriteEnvelopeSchema, parsed, opNumber, formId);
    return operationResult(envelope.Result.ResponseStatus, opNumber, formId);
  }

  /** 查看: the document in ORM shape (property names, expanded references), by number or internal id. */
  async view(formId: string, key: { number?: string; id?: number | string; createOrgId?: number }): Promise<Record<string, unknown>> {
    const data = { CreateOrgId: key.createOrgId ?? 0, Number: key.number ?? '', Id: key.id === undefined ? '' : String(key.id) };
    const parsed = await this.invoke(`${DYNAMIC_FORM_SERVICE}.View`, { formid: formId, data }, { operation: 'View', formId, write: false });
    const envelope = validate(ViewEnvelopeSchema, parsed, 'View', formId);
    const status = envelope.Result.ResponseStatus;
    if (status && !status.IsSuccess) throw failure(status, 'View', formId);
    if (!envelope.Result.Result) {
      throw new KingdeeProtocolError(`Kingdee View ${formId}: success without Result.Result`, { code: 'KINGDEE_BAD_ANSWER', operation: 'View', formId });
    }
    return envelope.Result.Result;
  }

  /** 单据查询: one page of rows as objects keyed by the field keys; numbers come back as exact Decimals. */
  async executeBillQuery(query: BillQuery): Promise<QueryRow[]> {
    if (query.fieldKeys.length === 0) {
      throw new KingdeeProtocolError('ExecuteBillQuery: fieldKeys is empty', { code: 'KINGDEE_BAD_REQUEST', operation: 'ExecuteBillQuery', formId: query.formId });
    }
    const data = {
      FormId: query.formId,
      FieldKeys: query.fieldKeys.join(','),
      FilterString: query.filter ?? '',
      OrderString: query.orderBy ?? '',
      TopRowCount: query.topRowCount ?? 0,
      StartRow: query.startRow ?? 0,
      Limit: query.limit ?? this.#connection.queryPageSize,
    };
    const raw = await this.invoke(`${DYNAMIC_FORM_SERVICE}.ExecuteBillQuery`, { data }, { operation: 'ExecuteBillQuery', formId: query.formId, write: false }, true);
    const errorEnvelope = findQueryErrorEnvelope(raw.parsed);
    if (errorEnvelope) {
      const envelope = validate(WriteEnvelopeSchema, errorEnvelope, 'ExecuteBillQuery', query.formId);
      throw failure(envelope.Result.ResponseStatus, 'ExecuteBillQuery', query.formId);
    }
    const exact = parseJsonWithDecimals(raw.text);
    if (!Array.isArray(exact)) throw badAnswer('ExecuteBillQuery', query.formId, 'expected an array of rows');
    return exact.map((row, rowIndex) => {
      if (!Array.isArray(row) || row.length !== query.fieldKeys.length) {
        throw badAnswer('ExecuteBillQuery', query.formId, `row ${rowIndex} has ${Array.isArray(row) ? row.length : 'no'} cells, expected ${query.fieldKeys.length}`);
      }
      const record: QueryRow = {};
      query.fieldKeys.forEach((key, column) => {
        const cell: unknown = row[column];
        if (cell !== null && typeof cell === 'object' && !('toFixed' in cell)) {
          throw badAnswer('ExecuteBillQuery', query.formId, `row ${rowIndex} field ${key}: unexpected ${JSON.stringify(cell)}`);
        }
        record[key] = cell as QueryRow[string];
      });
      return record;
    });
  }

  /** Pages through ExecuteBillQuery (StartRow += pageSize until a short page). Give a stable orderBy. */
  async *queryPages(query: Omit<BillQuery, 'startRow' | 'limit'>, pageSize = this.#connection.queryPageSize): AsyncGenerator<QueryRow[]> {
    for (let startRow = 0; ; startRow += pageSize) {
      const rows = await this.executeBillQuery({ ...query, startRow, limit: pageSize });
      if (rows.length > 0) yield rows;
      if (rows.length < pageSize) return;
    }
  }

  /** All rows of a query, paged. */
  async queryAll(query: Omit<BillQuery, 'startRow' | 'limit'>, pageSize?: number): Promise<QueryRow[]> {
    const all: QueryRow[] = [];
    for await (const page of this.queryPages(query, pageSize)) all.push(...page);
    return all;
  }

  /**
   * Which of these bill numbers exist, with FID and status — the way to resolve an indeterminate write
   * (and to skip bills already in Kingdee). Queries in chunks of 200 numbers.
   */
  async findBills(formId: string, billNumbers: string[]): Promise<Map<string, FoundBill>> {
    const found = new Map<string, FoundBill>();
    const unique = [...new Set(billNumbers)];
    for (let start = 0; start < unique.length; start += 200) {
      const chunk = unique.slice(start, start + 200);
      const rows = await this.queryAll({
        formId,
        fieldKeys: ['FID', 'FBillNo', 'FDocumentStatus', 'FCancelStatus'],
        filter: `FBillNo in (${chunk.map(quoteFilterValue).join(',')})`,
        orderBy: 'FID',
      });
      for (const row of rows) {
        const number = String(row.FBillNo);
        // Entry-level duplicates of the same bill collapse into one.
        if (!found.has(number)) {
          found.set(number, { id: Number(String(row.FID)), documentStatus: String(row.FDocumentStatus), cancelStatus: String(row.FCancelStatus) });
        }
      }
    }
    return found;
  }

  /** 元数据查询: form metadata (entities, fields, MustInput); structure undocumented, returned as is. */
  async queryBusinessInfo(formId: string): Promise<Record<string, unknown>> {
    const parsed = await this.invoke(`${DYNAMIC_FORM_SERVICE}.QueryBusinessInfo`, { data: { FormId: formId } }, { operation: 'QueryBusinessInfo', formId, write: false });
    const envelope = validate(BusinessInfoEnvelopeSchema, parsed, 'QueryBusinessInfo', formId);
    if (!envelope.Result.ResponseStatus.IsSuccess) throw failure(envelope.Result.ResponseStatus, 'QueryBusinessInfo', formId);
    return asRecord(envelope.Result.NeedReturnData);
  }

  /** One cheap authenticated call telling an operator whether the connection works. */
  async check(): Promise<{ ok: true; organisations: number }> {
    const rows = await this.executeBillQuery({ formId: 'ORG_Organizations', fieldKeys: ['FOrgID', 'FNumber'], limit: 100 });
    return { ok: true, organisations: rows.length };
  }

  // ---------------------------------------------------------------- plumbing

  private async operation(op: BillOperation, formId: string, target: BillTarget, options: OperationOptions): Promise<OperationResult> {
    const envelope = await this.sendOperation(op, formId, target, options);
    return operationResult(envelope.Result.ResponseStatus, op, formId);
  }

  /**
   * Submit/Audit/UnAudit/Delete of several bills with one outcome per target, in input order: bills that
   * passed are `done`, bills refused (库存不足, wrong status, not found) are `failed` with their own error.
   * Only failures of the whole call throw (auth, throttling, outage, indeterminate).
   */
  async operateEach(op: BillOperation, formId: string, target: BillTarget, options: OperationOptions = {}): Promise<BillOperationOutcome[]> {
    const envelope = await this.sendOperation(op, formId, target, options);
    const status = envelope.Result.ResponseStatus;
    if (!status.IsSuccess && WHOLE_CALL_MSG_CODES.has(status.MsgCode ?? -1)) throw failure(status, op, formId);
    const keys = target.numbers?.length ? target.numbers : (target.ids ?? []).map(String);
    const errors = (status.Errors ?? []).map(toDetail);
    const done = new Map((status.SuccessEntitys ?? []).map((entity) => [entity.DIndex, entity]));
    return keys.map((key, index): BillOperationOutcome => {
      const own = errors.filter((detail) => detail.index === index);
      const success = done.get(index);
      if (success && own.length === 0) return { index, key, status: 'done', id: Number(success.Id), number: success.Number ?? key };
      // A call where nothing matched fails as a whole (MsgCode 10); a target the server skipped has no line.
      const details = own.length > 0 ? own : status.IsSuccess ? [{ field: null, message: `金蝶未处理该单据（可能不存在） Kingdee did not process ${key} (not found?)`, index }] : errors;
      return { index, key, status: 'failed', details, error: errorFromFailure({ operation: op, formId, msgCode: status.IsSuccess ? 10 : status.MsgCode, details }) };
    });
  }

  private async sendOperation(op: BillOperation, formId: string, target: BillTarget, options: OperationOptions) {
    if (!target.numbers?.length && !target.ids?.length) {
      throw new KingdeeProtocolError(`${op} ${formId}: give numbers or ids`, { code: 'KINGDEE_BAD_REQUEST', operation: op, formId });
    }
    const data: Record<string, unknown> = {
      CreateOrgId: options.createOrgId ?? 0,
      Numbers: target.numbers ?? [],
      Ids: (target.ids ?? []).join(','),
      NetworkCtrl: options.networkControl ?? false,
      ...(options.useOrgId !== undefined ? { UseOrgId: options.useOrgId } : {}),
      ...(options.interactionFlags ? { InterationFlags: options.interactionFlags.join(';') } : {}),
      ...options.extra,
    };
    return this.write(op, formId, data, target.numbers ?? []);
  }

  private async write(op: string, formId: string, data: Record<string, unknown>, billNumbers: string[]) {
    const parsed = await this.invoke(`${DYNAMIC_FORM_SERVICE}.${op}`, { formid: formId, data }, { operation: op, formId, write: true, billNumbers });
    return validate(WriteEnvelopeSchema, parsed, op, formId);
  }

  private invoke(service: string, body: Record<string, unknown>, meta: CallMeta): Promise<unknown>;
  private invoke(service: string, body: Record<string, unknown>, meta: CallMeta, withText: true): Promise<{ parsed: unknown; text: string }>;
  private async invoke(service: string, body: Record<string, unknown>, meta: CallMeta, withText = false): Promise<unknown> {
    const { retry } = this.#connection;
    const result = await withRetry(() => this.callWithSessionRecovery(service, body, meta), {
      maxAttempts: retry.maxAttempts,
      initialDelayMs: retry.initialDelayMs,
      maxDelayMs: retry.maxDelayMs,
      onRetry: (error, attempt) =>
        this.logger.warn({ operation: meta.operation, formId: meta.formId, attempt, err: (error as Error).message }, 'retrying Kingdee call'),
    });
    return withText ? result : result.parsed;
  }

  /** On a lost session: drop cookies (log in again in session mode) and retry once; twice lost = auth error. */
  private async callWithSessionRecovery(service: string, body: Record<string, unknown>, meta: CallMeta): Promise<{ parsed: unknown; text: string }> {
    for (let attempt = 1; ; attempt++) {
      await this.ensureSession();
      const answer = await this.send(service, body, meta);
      const lost = answer.status === 401 || answer.status === 403 || (answer.parsed !== undefined && isSessionLost(answer.parsed));
      if (!lost) {
        if (answer.parsed === undefined) throw badAnswer(meta.operation, meta.formId, `answer is not JSON: ${answer.text.slice(0, 200)}`);
        return { parsed: answer.parsed, text: answer.text };
      }
      this.dropSession();
      if (attempt >= 2) {
        const said = serverMessage(answer.parsed) ?? `HTTP ${answer.status}`;
        throw new KingdeeAuthError(
          `Kingdee ${meta.operation}: session lost twice in a row (${said}) — check acctId, user, app authorisation, clock and IP whitelist`,
          {
            code: 'KINGDEE_AUTH',
            operation: meta.operation,
            formId: meta.formId,
            msgCode: 1,
            userMessage: '金蝶会话连续两次丢失，请检查账套ID、集成用户、第三方系统登录授权 Kingdee session lost twice: check AcctID, user and app authorisation',
          },
        );
      }
      this.logger.info({ operation: meta.operation }, 'Kingdee session lost; dropping cookies and retrying once');
    }
  }

  private dropSession(): void {
    this.cookies.clear();
    this.sessionId = undefined;
    this.loggedIn = false;
  }

  private async ensureSession(): Promise<void> {
    if (this.#connection.auth.mode === 'signature' || this.loggedIn) return;
    this.loginInFlight ??= this.login().finally(() => (this.loginInFlight = undefined));
    await this.loginInFlight;
  }

  private async login(): Promise<void> {
    const { auth, acctId, userName, lcid } = this.#connection;
    const [stub, params] =
      auth.mode === 'password'
        ? (['ValidateUser', { acctID: acctId, username: userName, password: auth.password, lcid }] as const)
        : (['LoginByAppSecret', { acctID: acctId, username: userName, appId: 'appId' in auth ? auth.appId : '', appSecret: 'appSecret' in auth ? auth.appSecret : '', lcid }] as const);
    const answer = await this.send(`${AUTH_SERVICE}.${stub}`, params, { operation: stub, write: false });
    const result = LoginResultSchema.safeParse(answer.parsed);
    if (!result.success) throw badAnswer(stub, undefined, describeZodError(result.error));
    const login = result.data;
    if (login.LoginResultType !== 1 && login.LoginResultType !== -5) {
      throw new KingdeeAuthError(`Kingdee ${stub} refused (LoginResultType ${login.LoginResultType}): ${login.Message ?? ''}`, {
        code: 'KINGDEE_LOGIN',
        operation: stub,
        userMessage: `金蝶登录失败 Kingdee login failed: ${login.Message ?? login.LoginResultType}`,
      });
    }
    if (login.KDSVCSessionId && !this.sessionId) this.sessionId = login.KDSVCSessionId;
    this.loggedIn = true;
    this.logger.info({ stub }, 'Kingdee session opened');
  }

  /** One HTTP exchange; maps transport failures to system or indeterminate errors. */
  private async send(service: string, body: Record<string, unknown>, meta: CallMeta): Promise<HttpAnswer & { parsed: unknown }> {
    const url = serviceUrl(this.#connection.serverUrl, service);
    const headers: Record<string, string> = { 'Content-Type': 'application/json;charset=UTF-8', 'Accept-Charset': 'utf-8' };
    const { auth } = this.#connection;
    if (auth.mode === 'signature') {
      Object.assign(
        headers,
        buildSignatureHeaders({
          serviceUrl: url,
          timestamp: String(Math.floor(this.now() / 1000)),
          acctId: this.#connection.acctId,
          userName: this.#connection.userName,
          appId: auth.appId,
          appSecret: auth.appSecret,
          lcid: this.#connection.lcid,
          orgNumber: this.#connection.orgNumber,
        }),
      );
    }
    if (this.sessionId) headers[SESSION_COOKIE] = this.sessionId;
    if (this.cookies.size > 0) headers.Cookie = ['Theme=standard', ...[...this.cookies].map(([k, v]) => `${k}=${v}`)].join(';');

    const payload = toKingdeeJson(body);
    let started = this.now();
    let response: Response;
    let text: string;
    try {
      // Limits wrap the HTTP exchange alone (logins included): the request starts in the tick the limiter counts it.
      ({ response, text } = await this.limiter.run(async () => {
        started = this.now();
        const answer = await fetch(url, { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(this.#connection.timeoutMs) });
        return { response: answer, text: await answer.text() };
      }));
    } catch (error) {
      const mapped = this.transportError(error, meta);
      this.onCall?.({ operation: meta.operation, durationMs: this.now() - started, outcome: mapped.name });
      throw mapped;
    }
    this.onCall?.({ operation: meta.operation, durationMs: this.now() - started, outcome: `http_${response.status}` });
    this.storeCookies(response.headers.getSetCookie());

    if (text.startsWith('response_error:')) {
      const detail = text.slice('response_error:'.length).trim();
      throw new KingdeeSystemError(`Kingdee ${meta.operation}: server exception ${detail.slice(0, 500)}`, {
        code: 'KINGDEE_SERVER_EXCEPTION',
        operation: meta.operation,
        formId: meta.formId,
        retriable: !meta.write,
        userMessage: `金蝶服务器异常 Kingdee server exception: ${detail.slice(0, 200)}`,
      });
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.status === 200 || response.status === 206 || response.status === 401 || response.status === 403) {
      return { status: response.status, text, parsed };
    }
    throw this.httpError(response.status, text, parsed, meta);
  }

  private httpError(status: number, text: string, parsed: unknown, meta: CallMeta): KingdeeError {
    const base = { operation: meta.operation, formId: meta.formId };
    if (status === 519) {
      // Public gateway: errcode 4002 APP_ID empty, 4006 timestamp expired, 5001 API not found.
      const errcode = (parsed as { errcode?: unknown } | undefined)?.errcode;
      return new KingdeeAuthError(`Kingdee gateway refused ${meta.operation} (HTTP 519, errcode ${String(errcode)}): ${text.slice(0, 300)}`, {
        ...base,
        code: `KINGDEE_GATEWAY_${String(errcode)}`,
      });
    }
    // 500/502/504 may come from a proxy after the server took the request: a write may have been applied.
    // 503/429 mean it was refused before processing, so those are plain retriable errors.
    if (meta.write && (status === 500 || status === 502 || status === 504)) {
      return new KingdeeIndeterminateError(`Kingdee ${meta.operation} ${meta.formId ?? ''}: HTTP ${status} after the request was sent — outcome unknown, query before resending`, {
        ...base,
        billNumbers: meta.billNumbers ?? [],
        userMessage: `金蝶未确认写入结果（HTTP ${status}），需查询核对 Kingdee did not confirm the write; reconcile by query`,
      });
    }
    return new KingdeeSystemError(`Kingdee ${meta.operation}: HTTP ${status} ${text.slice(0, 300)}`, {
      ...base,
      code: `KINGDEE_HTTP_${status}`,
      retriable: status >= 500 || status === 429,
      userMessage: `金蝶服务不可用（HTTP ${status}） Kingdee unavailable (HTTP ${status})`,
    });
  }

  private transportError(error: unknown, meta: CallMeta): KingdeeError {
    const cause = (error as { cause?: { code?: string } }).cause;
    const code = cause?.code ?? (error as { code?: string }).code;
    const base = { operation: meta.operation, formId: meta.formId, cause: error };
    if (code && NOT_SENT_CODES.has(code)) {
      return new KingdeeSystemError(`Kingdee ${meta.operation}: cannot connect (${code})`, {
        ...base,
        code: 'KINGDEE_UNREACHABLE',
        retriable: true,
        userMessage: `无法连接金蝶服务器 Cannot reach Kingdee (${code})`,
      });
    }
    const isTimeout = (error as { name?: string }).name === 'TimeoutError';
    const what = isTimeout ? `no answer within ${this.#connection.timeoutMs} ms` : `connection lost (${code ?? (error as Error).message})`;
    if (meta.write) {
      return new KingdeeIndeterminateError(`Kingdee ${meta.operation} ${meta.formId ?? ''}: ${what} — outcome unknown, query before resending`, {
        ...base,
        billNumbers: meta.billNumbers ?? [],
        userMessage: `金蝶写入结果未知（${isTimeout ? '超时' : '连接中断'}），需查询核对 Kingdee write outcome unknown; reconcile by query`,
      });
    }
    return new KingdeeSystemError(`Kingdee ${meta.operation}: ${what}`, { ...base, code: isTimeout ? 'KINGDEE_TIMEOUT' : 'KINGDEE_CONNECTION', retriable: true });
  }

  private storeCookies(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      this.cookies.set(name, value);
      if (name.toLowerCase() === SESSION_COOKIE) this.sessionId = value;
    }
  }
}

function saveData(options: SaveOptions): Record<string, unknown> {
  return {
    NeedReturnFields: options.needReturnFields ?? [],
    NeedUpDateFields: options.needUpdateFields ?? [],
    IsDeleteEntry: options.isDeleteEntry ?? true,
    IsVerifyBaseDataField: options.isVerifyBaseDataField ?? false,
    ValidateFlag: options.validateFlag ?? true,
    ...(options.subSystemId ? { SubSystemId: options.subSystemId } : {}),
    ...(options.interactionFlags ? { InterationFlags: options.interactionFlags.join(';') } : {}),
    ...options.extra,
  };
}

function toDetail(error: { FieldName?: string | null | undefined; Message?: string | null | undefined; DIndex: number }): KingdeeErrorDetail {
  return { field: error.FieldName || null, message: error.Message ?? '', index: error.DIndex };
}

function failure(status: ResponseStatus, operation: string, formId: string | undefined): KingdeeError {
  return errorFromFailure({ operation, formId, msgCode: status.MsgCode, details: (status.Errors ?? []).map(toDetail) });
}

function operationResult(status: ResponseStatus, operation: string, formId: string): OperationResult {
  if (!status.IsSuccess) throw failure(status, operation, formId);
  return {
    successes: (status.SuccessEntitys ?? []).map((entity) => ({ id: Number(entity.Id), number: entity.Number ?? '', index: entity.DIndex })),
    messages: (status.SuccessMessages ?? []).map((message) => message.Message ?? '').filter(Boolean),
  };
}

function validate<S extends z.ZodType>(schema: S, parsed: unknown, operation: string, formId: string | undefined): z.infer<S> {
  const result = schema.safeParse(parsed);
  if (!result.success) throw badAnswer(operation, formId, describeZodError(result.error));
  return result.data;
}

function badAnswer(operation: string, formId: string | undefined, what: string): KingdeeProtocolError {
  return new KingdeeProtocolError(`Kingdee ${operation}${formId ? ` ${formId}` : ''}: malformed answer — ${what}`, {
    code: 'KINGDEE_BAD_ANSWER',
    operation,
    formId,
    userMessage: `金蝶返回格式异常 Kingdee answer malformed: ${what}`,
  });
}

/** The first error message of an answer's ResponseStatus (unwrapping query double-wrapping). */
function serverMessage(parsed: unknown): string | undefined {
  const envelope = (findQueryErrorEnvelope(parsed) ?? parsed) as { Result?: { ResponseStatus?: { Errors?: { Message?: unknown }[] } } } | undefined;
  const message = envelope?.Result?.ResponseStatus?.Errors?.[0]?.Message;
  return typeof message === 'string' ? message : undefined;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

