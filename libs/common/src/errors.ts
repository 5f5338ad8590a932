/**
 * Exception levels shared by every part of yecai (flows.md §3):
 * 1 — data/format: a person must fix the data, then re-push;
 * 2 — business-rule conflict: pending, retried on a schedule, or retried/skipped by a person;
 * 3 — system: pause, probe, resume from the break point by itself.
 */
export type ExceptionLevel = 1 | 2 | 3;

export interface YecaiErrorOptions {
  /** Stable machine-readable code, e.g. `KINGDEE_MSG_11` or `JST_THROTTLED`. */
  code: string;
  level: ExceptionLevel;
  retriable: boolean;
  /** Message a person acts on: Chinese first, English beside it where useful. */
  userMessage?: string;
  /** Field or path the error is about, when there is one. */
  field?: string;
  cause?: unknown;
}

export class YecaiError extends Error {
  readonly code: string;
  readonly level: ExceptionLevel;
  readonly retriable: boolean;
  readonly userMessage: string;
  readonly field: string | undefined;

  constructor(message: string, options: YecaiErrorOptions) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.level = options.level;
    this.retriable = options.retriable;
    this.userMessage = options.userMessage ?? message;
    this.field = options.field;
  }
}

/** Bad configuration, CLI flag or API payload: never retriable, always names the field. */
export class ValidationError extends YecaiError {
  constructor(message: string, field: string, cause?: unknown) {
    super(message, { code: 'VALIDATION', level: 1, retriable: false, field, cause });
  }
}

export function isRetriable(error: unknown): boolean {
  return error instanceof YecaiError ? error.retriable : false;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
