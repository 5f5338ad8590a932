/**
 * Calls a service's admin API server-side with that service's bearer token. An upstream refusal keeps its status
 * and message (Chinese + English as the service wrote it); an unreachable service is a 502 naming the service.
 */
import { errorMessage } from '@yecai/common';
import type { ServiceEndpoint } from './config';

export class UpstreamError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class AdminClient {
  constructor(
    readonly name: string,
    private readonly endpoint: ServiceEndpoint,
    private readonly timeoutMs = 15_000,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.raw(method, path, body);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const failure = parsed as { error?: string; field?: string } | undefined;
      throw new UpstreamError(
        response.status,
        `${this.name}: ${failure?.error ?? `HTTP ${response.status}`}`,
        failure?.field,
      );
    }
    return parsed as T;
  }

  /** The response itself (e.g. to stream a workbook through). */
  async raw(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(`${this.endpoint.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.endpoint.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new UpstreamError(502, `${this.name} 服务不可达 service unreachable (${errorMessage(error)})`);
    }
  }
}

/** `?a=1&b=2` from the defined values. */
export function queryOf(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values))
    if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
