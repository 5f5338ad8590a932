/** The browser's only server: the console's own /api (session cookie; it never holds a service token). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api${path}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await response.json().catch(() => ({}))) as { error?: string; field?: string };
  if (!response.ok) throw new ApiError(response.status, answer.error ?? `HTTP ${response.status}`, answer.field);
  return answer as T;
}

export function query(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values))
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface User {
  name: string;
  role: 'viewer' | 'operator';
}

export type Lang = 'zh' | 'en';
/** Chinese by default, English on the switch: every label is written both ways where it is used. */
export const pick = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);
