import { Decimal } from '@yecai/common';
import { z } from 'zod';

/** Service name prefixes (kingdee-webapi.md §4.1). */
export const DYNAMIC_FORM_SERVICE = 'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService';
export const AUTH_SERVICE = 'Kingdee.BOS.WebApi.ServicesStub.AuthService';

export function serviceUrl(serverUrl: string, serviceName: string): string {
  return `${serverUrl.endsWith('/') ? serverUrl : `${serverUrl}/`}${serviceName}.common.kdsvc`;
}

/** Session-lost text the server puts in Errors[].Message (and integrators' variants). */
export const SESSION_LOST_PATTERN = /会话信息已丢失|会话.*(失效|过期)|重新登录|未登录/;

const booleanish = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False'])]).transform((value) =>
  typeof value === 'boolean' ? value : value.toLowerCase() === 'true',
);
const indexish = z.union([z.number(), z.string()]).nullish().transform((value) => Number(value ?? 0));

export const ResponseErrorSchema = z.object({
  FieldName: z.string().nullish(),
  Message: z.string().nullish(),
  DIndex: indexish,
});

export const SuccessEntitySchema = z.object({
  Id: z.union([z.number(), z.string()]),
  Number: z.string().nullish(),
  DIndex: indexish,
});

export const ResponseStatusSchema = z.object({
  ErrorCode: z.union([z.number(), z.string()]).nullish(),
  IsSuccess: booleanish,
  Errors: z.array(ResponseErrorSchema).nullish(),
  SuccessEntitys: z.array(SuccessEntitySchema).nullish(),
  SuccessMessages: z.array(ResponseErrorSchema).nullish(),
  MsgCode: z.union([z.number(), z.string()]).nullish().transform((value) => (value === null || value === undefined || value === '' ? undefined : Number(value))),
});
export type ResponseStatus = z.infer<typeof ResponseStatusSchema>;

/** Save/BatchSave/Submit/Audit/UnAudit/Delete/Allocate answer. */
export const WriteEnvelopeSchema = z.object({
  Result: z.object({
    ResponseStatus: ResponseStatusSchema,
    Id: z.union([z.number(), z.string()]).nullish(),
    Number: z.string().nullish(),
    NeedReturnData: z.array(z.unknown()).nullish(),
  }),
});

/** Push answer: ResponseStatus is the target bills' save, ConvertResponseStatus the conversion (kingdee-webapi.md §5.6). */
export const PushEnvelopeSchema = z.object({
  Result: z.object({
    ResponseStatus: ResponseStatusSchema,
    ConvertResponseStatus: ResponseStatusSchema.nullish(),
  }),
});

/** View answer: ResponseStatus is null on success and the document sits in Result.Result. */
export const ViewEnvelopeSchema = z.object({
  Result: z.object({
    ResponseStatus: ResponseStatusSchema.nullish(),
    Result: z.record(z.string(), z.unknown()).nullish(),
  }),
});

/** QueryBusinessInfo answer: metadata in NeedReturnData (structure undocumented: kept opaque). */
export const BusinessInfoEnvelopeSchema = z.object({
  Result: z.object({
    ResponseStatus: ResponseStatusSchema,
    NeedReturnData: z.unknown(),
  }),
});

/** LoginResult of the AuthService stubs (no Result envelope). */
export const LoginResultSchema = z.object({
  Message: z.string().nullish(),
  MessageCode: z.string().nullish(),
  LoginResultType: z.number(),
  KDSVCSessionId: z.string().nullish(),
  IsSuccessByAPI: z.boolean().nullish(),
});

/** A value of one ExecuteBillQuery cell: numbers are decimals (exact, from the JSON text). */
export type KingdeeValue = string | Decimal | boolean | null;
export type QueryRow = Record<string, KingdeeValue>;

/** Parses JSON keeping every number exact as a Decimal (for query cells: quantities and amounts). */
export function parseJsonWithDecimals(text: string): unknown {
  return JSON.parse(text, (_key, value, context?: { source?: string }) =>
    typeof value === 'number' ? new Decimal(context?.source ?? String(value)) : value,
  );
}

const DECIMAL_MARK = '\u0000yecai-decimal:';

/** JSON for a request body: Decimal values are written as exact JSON numbers, never through a float. */
export function toKingdeeJson(value: unknown): string {
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, current: unknown) {
    const original = key === '' ? current : this[key];
    return original instanceof Decimal ? `${DECIMAL_MARK}${original.toFixed()}` : current;
  });
  return text.replace(/"\\u0000yecai-decimal:(-?[0-9.]+)"/g, '$1');
}

/** ExecuteBillQuery errors come as `[[{"Result":…}]]`: unwrap nested single-element arrays to find it. */
export function findQueryErrorEnvelope(parsed: unknown): unknown {
  let current = parsed;
  while (Array.isArray(current) && current.length === 1) current = current[0];
  if (current && typeof current === 'object' && !Array.isArray(current) && 'Result' in current) return current;
  return undefined;
}

/** True when a parsed answer says the session is gone (MsgCode 1 or the session-lost text). */
export function isSessionLost(parsed: unknown): boolean {
  const envelope = findQueryErrorEnvelope(parsed) ?? parsed;
  if (!envelope || typeof envelope !== 'object') return false;
  const status = (envelope as { Result?: { ResponseStatus?: { MsgCode?: unknown; Errors?: unknown } } }).Result
    ?.ResponseStatus;
  if (!status) return false;
  if (Number(status.MsgCode) === 1) return true;
  const errors = Array.isArray(status.Errors) ? (status.Errors as { Message?: unknown }[]) : [];
  return errors.some((error) => typeof error.Message === 'string' && SESSION_LOST_PATTERN.test(error.Message));
}

/** Turns a zod failure into one line naming the offending path. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}
