import { YecaiError } from '@yecai/common';
import { parseJsonLossless } from './json';
import type { StreamDefinition } from './stream';

/** One page request, built by the runtime from the stream declaration. */
export type PageRequest =
  | { kind: 'window'; fromMs: number; toMs: number; pageIndex: number; pageSize: number }
  | { kind: 'token'; startToken: string; pageSize: number };

/**
 * The call budget of the account, for a transport that makes more calls within one page (赛狐: a settlement's detail
 * rows from another endpoint): wait here before each such call, so it counts where the source counts it.
 */
export interface CallBudget {
  acquire(endpoint: string): Promise<void>;
}

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
  fetchPage(stream: StreamDefinition, request: PageRequest, budget?: CallBudget): Promise<PageResult>;
  /** One cheap call that tells whether the account's credentials work. */
  check(): Promise<CheckResult>;
  /**
   * Optional work before the lanes' first calls, outside the call budget (赛狐: fetch the token, so that the first
   * call of each lane is not sent late within its rate slot). Must not throw: the first call reports failures.
   */
  prepare?(): Promise<void>;
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

/** Names a source system in errors: `code` prefixes error codes (e.g. `WDT_TIMEOUT`), `label` is for people. */
export interface SourceSystemName {
  code: string;
  /** Chinese name first, English after: `旺店通 / WDT`. */
  label: string;
}

/**
 * One HTTP POST (or GET, `method`) to a source API, answered with its JSON body parsed losslessly. Network errors,
 * timeouts, non-2xx answers and non-JSON bodies become SourceUnavailableError (retriable), so every transport
 * classifies them alike; the envelope's own error codes stay the transport's business. `answerStatuses`: non-2xx
 * statuses whose body is still the API's envelope (赛狐 sends its throttle code 40019 with HTTP 400).
 */
export async function postForJson(
  system: SourceSystemName,
  what: string,
  url: string,
  init: {
    headers: Record<string, string>;
    body?: string;
    timeoutMs?: number | undefined;
    method?: 'GET' | 'POST';
    answerStatuses?: readonly number[];
  },
): Promise<unknown> {
  const [nameZh, nameEn] = system.label.split(' / ');
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? 'POST',
      headers: init.headers,
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
    });
  } catch (error) {
    // Duck-typed: the abort reason is a DOMException, which is not always an `Error` of this realm.
    const name = (error as { name?: unknown } | null)?.name;
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    throw new SourceUnavailableError(
      `${system.code} ${what}: ${timedOut ? 'timed out' : 'network error'} (${String(error)})`,
      {
        code: timedOut ? `${system.code}_TIMEOUT` : `${system.code}_NETWORK`,
        cause: error,
        userMessage: `${nameZh}接口暂时不可用，自动重试 / ${nameEn ?? nameZh} unreachable, retrying`,
      },
    );
  }
  const text = await response.text().catch(() => '');
  if (!response.ok && !init.answerStatuses?.includes(response.status)) {
    throw new SourceUnavailableError(`${system.code} ${what}: HTTP ${response.status}`, {
      code: `${system.code}_HTTP_${response.status}`,
      userMessage: `${nameZh}接口返回 HTTP ${response.status}，自动重试 / ${nameEn ?? nameZh} returned HTTP ${response.status}, retrying`,
    });
  }
  try {
    return parseJsonLossless(text);
  } catch {
    throw new SourceUnavailableError(`${system.code} ${what}: response is not JSON: ${text.slice(0, 100)}`, {
      code: `${system.code}_BAD_RESPONSE`,
    });
  }
}
