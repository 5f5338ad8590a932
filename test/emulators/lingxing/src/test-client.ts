/** Tests only: a minimal signed 领星 client written against the emulator's own signer (the connector is tested separately). */
import { expectedSign } from './signing';
import { LINGXING_TEST_ACCOUNT, type LingxingEmulator } from './server';

const APP = LINGXING_TEST_ACCOUNT;
/** Answers are read loosely: each test asserts the shape it cares about. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Answer = Record<string, any>;

/** One signed business call; the parsed answer. */
export async function call(
  emulator: LingxingEmulator,
  token: string,
  path: string,
  body: Record<string, unknown>,
  timestamp = Math.floor(Date.now() / 1000),
) {
  const query = { access_token: token, app_key: APP.appId, timestamp: String(timestamp) };
  const sign = expectedSign(APP.appId, { ...query, ...body });
  const url = `${emulator.url}${path}?${new URLSearchParams({ ...query, sign })}`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Answer;
}

/** A token call (`access-token` or `refresh`). */
export async function token(
  emulator: LingxingEmulator,
  path = 'access-token',
  fields: Record<string, string> = { appId: APP.appId, appSecret: APP.appSecret },
) {
  const response = await fetch(`${emulator.url}/api/auth-server/oauth/${path}?${new URLSearchParams(fields)}`, {
    method: 'POST',
  });
  return (await response.json()) as Answer;
}
