import { YecaiError, type ExceptionLevel } from '@yecai/common';

/** One error line of a Kingdee ResponseStatus: `FieldName`, `Message`, `DIndex`. */
export interface KingdeeErrorDetail {
  field: string | null;
  message: string;
  /** Index of the data package (BatchSave) or of the number/id in Numbers/Ids. */
  index: number;
}

export interface KingdeeErrorOptions {
  code: string;
  level: ExceptionLevel;
  retriable: boolean;
  operation: string;
  formId?: string | undefined;
  msgCode?: number | undefined;
  details?: KingdeeErrorDetail[];
  userMessage?: string;
  field?: string | undefined;
  cause?: unknown;
}

/** Base of every error the Kingdee client raises; `instanceof` one of the subclasses to decide what to do. */
export class KingdeeError extends YecaiError {
  readonly operation: string;
  readonly formId: string | undefined;
  readonly msgCode: number | undefined;
  readonly details: KingdeeErrorDetail[];

  constructor(message: string, options: KingdeeErrorOptions) {
    super(message, {
      code: options.code,
      level: options.level,
      retriable: options.retriable,
      userMessage: options.userMessage ?? message,
      field: options.field ?? options.details?.find((detail) => detail.field)?.field ?? undefined,
      cause: options.cause,
    });
    this.operation = options.operation;
    this.formId = options.formId;
    this.msgCode = options.msgCode;
    this.details = options.details ?? [];
  }
}

type SubclassOptions = Omit<KingdeeErrorOptions, 'level'> & { level?: ExceptionLevel };

/** Level 1: the data is wrong (required field, base data not found, unknown field) — fix it and push again. */
export class KingdeeDataError extends KingdeeError {
  constructor(message: string, options: Omit<SubclassOptions, 'retriable'>) {
    super(message, { ...options, level: 1, retriable: false });
  }
}

/**
 * Level 2: a business rule refused the bill (库存不足, closed period, duplicate FBillNo, wrong status).
 * Retriable only for 网控冲突 (MsgCode 13), which clears by itself.
 */
export class KingdeeBusinessError extends KingdeeError {
  constructor(message: string, options: SubclassOptions) {
    super(message, { ...options, level: 2 });
  }
}

/** Level 3: Kingdee is unavailable or overloaded (HTTP 5xx, timeouts on reads, MsgCode 4/6/14). */
export class KingdeeSystemError extends KingdeeError {
  constructor(message: string, options: SubclassOptions) {
    super(message, { ...options, level: 3 });
  }
}

/** Level 3, not retriable: credentials, app authorisation, permission or licence — an operator must act. */
export class KingdeeAuthError extends KingdeeError {
  constructor(message: string, options: Omit<SubclassOptions, 'retriable'>) {
    super(message, { ...options, level: 3, retriable: false });
  }
}

/** The answer could not be understood (not JSON, or not the shape the protocol defines). */
export class KingdeeProtocolError extends KingdeeError {
  constructor(message: string, options: Omit<SubclassOptions, 'retriable'>) {
    super(message, { ...options, level: 3, retriable: false });
  }
}

/**
 * A write was sent but no answer came back (timeout, connection reset, 500/504 after sending): it may or
 * may not have been applied. Never resend blindly — resolve by querying (e.g. ExecuteBillQuery on FBillNo).
 */
export class KingdeeIndeterminateError extends KingdeeError {
  /** Bill numbers the write carried, when known: the keys to query with. */
  readonly billNumbers: string[];

  constructor(message: string, options: Omit<SubclassOptions, 'retriable' | 'code'> & { billNumbers?: string[] }) {
    super(message, { ...options, code: 'KINGDEE_INDETERMINATE', level: 3, retriable: false });
    this.billNumbers = options.billNumbers ?? [];
  }
}

const MSG_CODE_TEXT: Record<number, string> = {
  0: '默认 default',
  1: '上下文丢失 session lost',
  2: '没有权限 no permission',
  3: '操作标识为空 operation id empty',
  4: '异常 server exception',
  5: '单据标识为空 form id empty',
  6: '数据库操作失败 database failure',
  7: '许可错误 licence error',
  8: '参数错误 bad parameter',
  9: '指定字段/值不存在 field or value not found',
  10: '未找到对应数据 data not found',
  11: '验证失败 validation failed',
  12: '不可操作 operation not allowed',
  13: '网控冲突 network-control conflict',
  14: '调用限制 call limit',
  15: '禁止管理员登录 administrator login forbidden',
};

export function msgCodeText(msgCode: number | undefined): string {
  return msgCode === undefined ? 'no MsgCode' : (MSG_CODE_TEXT[msgCode] ?? `MsgCode ${msgCode}`);
}

/**
 * Messages that mean a business rule refused otherwise well-formed data (level 2). `未审核，不能…` is a source bill
 * not audited yet (a receipt's receivable, a 下推's out-stock): its audit is usually still in flight, so the ladder
 * retries. Base data "不存在、未审核、已禁用…" is not matched (no "，不能" after 未审核) and stays level 1.
 */
const BUSINESS_CONFLICT =
  /库存|关账|会计期间|期间已|已结账|唯一性|已经被使用|已经审核|已审核|审核中|已经提交|状态不是|状态为|不允许|不能删除|不能审核|不能反审核|不能重复|网控|未审核，不能/;

/** Decides the exception level of one error line of a failed write. */
export function levelOfMessage(msgCode: number | undefined, message: string): 1 | 2 {
  if (msgCode === 12 || msgCode === 13) return 2;
  if (msgCode === 3 || msgCode === 5 || msgCode === 8 || msgCode === 9 || msgCode === 10) return 1;
  return BUSINESS_CONFLICT.test(message) ? 2 : 1;
}

export interface EnvelopeFailure {
  operation: string;
  formId?: string | undefined;
  msgCode: number | undefined;
  details: KingdeeErrorDetail[];
}

/** Maps a failed ResponseStatus (IsSuccess false) to the one error class a caller acts on. */
export function errorFromFailure(failure: EnvelopeFailure): KingdeeError {
  const { msgCode, details, operation, formId } = failure;
  const text = details.map((detail) => detail.message).join('；') || msgCodeText(msgCode);
  const message = `Kingdee ${operation}${formId ? ` ${formId}` : ''} failed (MsgCode ${msgCode ?? '-'} ${msgCodeText(msgCode)}): ${text}`;
  const userMessage = `金蝶${operation}失败 Kingdee ${operation} failed: ${text}`;
  const base = { operation, formId, msgCode, details, userMessage, code: `KINGDEE_MSG_${msgCode ?? 0}` };
  switch (msgCode) {
    case 1:
    case 2:
    case 7:
    case 15:
      return new KingdeeAuthError(message, base);
    case 4:
    case 6:
    case 14:
      return new KingdeeSystemError(message, { ...base, retriable: true });
    case 13:
      return new KingdeeBusinessError(message, { ...base, retriable: true });
    default: {
      // The most serious line decides: one business conflict makes the whole failure a level-2 matter.
      const level = details.some((detail) => levelOfMessage(msgCode, detail.message) === 2) ? 2 : 1;
      if (details.length === 0 && msgCode === undefined) return new KingdeeSystemError(message, { ...base, retriable: false });
      return level === 2
        ? new KingdeeBusinessError(message, { ...base, retriable: false })
        : new KingdeeDataError(message, base);
    }
  }
}
