import { YecaiError, type ExceptionLevel } from '@yecai/common';

/**
 * What a YonSuite answer means for the caller, as the project's exception levels (flows.md §3):
 * 1 data (fix and re-push), 2 business rule (retried on the ladder), 3 system (pause, probe, resume).
 * One class for every failure — `kind` says which, `level`/`retriable` say what to do — like KingdeeError.
 */
export type YonyouErrorKind =
  /** The document's data was refused (missing reference, required field). */
  | 'data'
  /** A business rule refused well-formed data (库存不足, closed period, wrong status). */
  | 'business'
  /** Gateway throttling (3100xx). */
  | 'throttled'
  /** Credentials, API grant, app disabled: an operator must act. */
  | 'auth'
  /** Server or gateway failure before the request was processed. */
  | 'unavailable'
  /** A write was sent and no usable answer came back: it may have been applied. Resolve by querying its key. */
  | 'indeterminate'
  /** An MDD save with this resubmitCheckKey is still being processed (code 202): ask again with the same key. */
  | 'in_progress'
  /** The answer could not be understood. */
  | 'protocol';

export interface YonyouErrorOptions {
  kind: YonyouErrorKind;
  /** The answer's `code` (`999`, `310046`, …) or `HTTP_<status>`. */
  apiCode: string;
  path: string;
  userMessage?: string;
  field?: string | undefined;
  cause?: unknown;
  /** Level 1/2 decided by the message (kinds data/business); the kind decides the others. */
  level?: ExceptionLevel;
}

const LEVEL_OF_KIND: Record<YonyouErrorKind, ExceptionLevel> = {
  data: 1,
  business: 2,
  throttled: 3,
  auth: 3,
  unavailable: 3,
  indeterminate: 3,
  in_progress: 3,
  protocol: 3,
};
/** Kinds a call may simply be repeated after (a write only when its idempotency key makes a repeat safe). */
const RETRIABLE_KINDS = new Set<YonyouErrorKind>(['throttled', 'unavailable', 'in_progress']);

export class YonyouError extends YecaiError {
  readonly kind: YonyouErrorKind;
  readonly apiCode: string;
  readonly path: string;

  constructor(message: string, options: YonyouErrorOptions) {
    super(message, {
      code: `YONYOU_${options.apiCode}`,
      level: options.level ?? LEVEL_OF_KIND[options.kind],
      retriable: RETRIABLE_KINDS.has(options.kind),
      userMessage: options.userMessage ?? message,
      ...(options.field ? { field: options.field } : {}),
      cause: options.cause,
    });
    this.kind = options.kind;
    this.apiCode = options.apiCode;
    this.path = options.path;
  }
}

/** Gateway codes (yonyou-api.md §3.7). */
export const THROTTLED_CODES = new Set(['310032', '310039', '310042', '310046']);
export const TOKEN_INVALID_CODES = new Set(['310036']);
const AUTH_CODES = new Set([
  '310001',
  '310003',
  '310005',
  '310006',
  '310037',
  '310031',
  '310038',
  '310041',
  '310047',
  '10018',
]);
const UNAVAILABLE_CODES = new Set(['310043', '310071', '310072', '310504', '315001']);
/** MDD duplicate after the 1-hour replay window: the document exists (`data.id`). Both spellings are documented. */
export const DUPLICATE_CODES = new Set(['100004', '10004']);
export const IN_PROGRESS_CODE = '202';

/**
 * Messages of a `999` refusal that are business-rule conflicts (level 2) rather than bad data (level 1). A source
 * document not audited yet (收款单's 应收单 …未审核，不能收款核销) is one: its audit is usually in flight, so the retry
 * ladder saves again once it lands — as libs/kingdee's levelOfMessage does. A source that does not exist, is in another
 * currency or would be over-written-off stays level 1 (a person fixes the data).
 */
const BUSINESS_CONFLICT =
  /库存|存量|现存量|关账|会计期间|期间已|已结账|已审核|审核中|已提交|状态|不允许|不能删除|不能审核|不能弃审|不能修改|已存在|重复|未审核，不能/;

/** Level of a refusal message (`999`, voucher `404`, master-data `0`). */
export function levelOfMessage(message: string): 1 | 2 {
  return BUSINESS_CONFLICT.test(message) ? 2 : 1;
}

/** Reference fields a YonSuite message names (…[客户]…, 仓库…不存在): the field a person fixes. */
const FIELD_OF_WORD: [RegExp, string][] = [
  // First: a 收款单 refusal names its source 应收单 (and may mention its 币种 or 客户 too).
  [/源单/, 'srcBillId'],
  [/科目/, 'accsubjectCode'],
  [/客户/, 'cust'],
  [/物料|商品|存货/, 'product'],
  [/仓库/, 'warehouse'],
  [/组织/, 'org'],
  [/币种/, 'currency'],
  [/交易类型/, 'bustype'],
  [/供应商/, 'vendor'],
  [/单位/, 'unit'],
  [/批次/, 'batchno'],
  [/部门/, 'department'],
];

export function fieldOfMessage(message: string): string | undefined {
  return FIELD_OF_WORD.find(([pattern]) => pattern.test(message))?.[1];
}

/** Maps a failed envelope (`code` ≠ 200) to the one error a caller acts on. `write`: the call may have changed data. */
export function errorFromEnvelope(code: string, message: string, path: string, write: boolean): YonyouError {
  const text = `YonSuite ${path}: code ${code} ${message}`;
  if (THROTTLED_CODES.has(code))
    return new YonyouError(text, {
      kind: 'throttled',
      apiCode: code,
      path,
      userMessage: `用友接口限流 YonSuite throttled the call (${code} ${message})`,
    });
  if (code === IN_PROGRESS_CODE)
    return new YonyouError(text, {
      kind: 'in_progress',
      apiCode: code,
      path,
      userMessage: `用友仍在处理该请求 YonSuite is still processing this request (202)`,
    });
  if (AUTH_CODES.has(code) || TOKEN_INVALID_CODES.has(code)) {
    return new YonyouError(text, {
      kind: 'auth',
      apiCode: code,
      path,
      userMessage: `用友认证或授权失败 YonSuite refused the app (${code} ${message}): check appKey/appSecret and the API grant (开放平台 → API授权)`,
    });
  }
  if (UNAVAILABLE_CODES.has(code)) {
    // 310504 (gateway timeout) on a write: the backend may have applied it.
    const kind = write && code === '310504' ? 'indeterminate' : 'unavailable';
    return new YonyouError(text, {
      kind,
      apiCode: code,
      path,
      userMessage: `用友服务不可用 YonSuite unavailable (${code} ${message})`,
    });
  }
  const level = levelOfMessage(message);
  return new YonyouError(text, {
    kind: level === 1 ? 'data' : 'business',
    level,
    apiCode: code,
    path,
    field: fieldOfMessage(message),
    userMessage: `用友拒绝 YonSuite refused: ${message}`,
  });
}
