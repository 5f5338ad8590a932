import { YecaiError } from '@yecai/common';
import type { StreamDefinition } from './stream';

/** One page request, built by the runtime from the stream declaration. */
export type PageRequest =
  | { kind: 'window'; fromMs: number; toMs: number; pageIndex: number; pageSize: number }
  | { kind: 'token'; startToken: string; pageSize: number };

export interface PageResult {
  /** Records exactly as the API returned them (numbers parsed losslessly, see parseJsonLossless). */
  records: Record<string, unknown>[];
  hasNext: boolean;
  /** Pages in the window when the API reports it (needed for backward paging). */
  pageCount?: number;
}

export interface CheckResult {
  ok: boolean;
  /** For an operator: Chinese first, English beside. */
  message: string;
  /** Error code when not ok (e.g. JST_SIGN_INVALID). */
  code?: string;
}

/**
 * What each source system supplies as code: signing, envelope parsing, and the mapping of the system's
 * error and throttle codes into YecaiErrors — once, here. Everything else is the kit's runtime.
 */
export interface SourceTransport {
  /** Source system name used in topics and keys, e.g. `jushuitan`. */
  readonly system: string;
  fetchPage(stream: StreamDefinition, request: PageRequest): Promise<PageResult>;
  /** One cheap call that tells whether the account's credentials work. */
  check(): Promise<CheckResult>;
}

/** The source refused the call for rate reasons; wait at least `retryAfterMs` before the next call. */
export class SourceThrottledError extends YecaiError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options: { code: string; userMessage?: string },
  ) {
    super(message, { ...options, level: 3, retriable: true });
  }
}

/** HTTP failures, timeouts, 5xx: retriable system errors. */
export class SourceUnavailableError extends YecaiError {
  constructor(message: string, options: { code: string; cause?: unknown; userMessage?: string }) {
    super(message, { ...options, level: 3, retriable: true });
  }
}
