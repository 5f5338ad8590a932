import { expectedJstSign } from './signature';
import type { JstEmulator } from './server';

/** The emulator tests' frozen server clock: 2026-11-20 12:00:00 Beijing. */
export const NOW = Date.UTC(2026, 10, 20, 4, 0, 0);

export interface Envelope {
  code: number;
  msg: string;
  data: {
    page_index: number;
    page_count: number;
    data_count: number;
    has_next: boolean;
    datas: Array<Record<string, unknown>>;
  } | null;
}

export async function call(
  emulator: JstEmulator,
  path: string,
  biz: Record<string, unknown>,
  overrides: Record<string, string> = {},
  secret = 'sk_test',
): Promise<Envelope> {
  const params: Record<string, string> = {
    app_key: 'ak_test',
    access_token: emulator.accounts[0]!.accessToken,
    timestamp: String(Math.floor(NOW / 1000)),
    charset: 'utf-8',
    version: '2',
    biz: JSON.stringify(biz),
    ...overrides,
  };
  params.sign = overrides.sign ?? expectedJstSign(params, secret);
  const response = await fetch(emulator.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: new URLSearchParams(params),
  });
  return (await response.json()) as Envelope;
}
