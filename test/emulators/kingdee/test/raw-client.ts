import { createHmac } from 'node:crypto';

/**
 * A deliberately independent, minimal raw caller for emulator tests (not @yecai/kingdee), so the emulator
 * is checked against the protocol text rather than against our own client.
 */
export const ACCT = '6571a2b3c4d5e6';
export const USER = 'yecai-integration';
export const PASSWORD = 'Kd@2024!demo';
export const APP_ID = '300123_Q2kDWNdw1LBa4D0NTa6ADbQqTZbJUCTB';
export const APP_SECRET = '8b2677b7426a4ce7b3de6413d8924bbe';
export const D = 'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService';

const hmac = (message: string, key: string) => Buffer.from(createHmac('sha256', key).update(message).digest('hex')).toString('base64');

export function javaStyleHeaders(url: string, appSecret = APP_SECRET, timestampMs = Date.now()): Record<string, string> {
  const path = new URL(url).pathname;
  const xor = Buffer.from('0054f397c6234378b09ca7d3e5debce7');
  const raw = Buffer.from(APP_ID.split('_')[1]!, 'base64');
  const clientSecret = Buffer.from(raw.map((byte, i) => byte ^ xor[i]!)).toString('base64');
  const stamp = String(timestampMs);
  const appData = `${ACCT},${USER},2052,0`;
  return {
    'X-Api-ClientID': APP_ID.split('_')[0]!,
    'X-Api-Auth-Version': '2.0',
    'X-Api-TimeStamp': stamp,
    'X-Api-Nonce': stamp,
    'X-Api-SignHeaders': 'X-Api-TimeStamp,X-Api-Nonce',
    'X-Api-Signature': hmac(`POST\n${encodeURIComponent(path)}\n\nx-api-nonce:${stamp}\nx-api-timestamp:${stamp}\n`, clientSecret),
    'X-Kd-Appkey': APP_ID,
    'X-Kd-Appdata': Buffer.from(appData).toString('base64'),
    'X-Kd-Signature': hmac(APP_ID + appData, appSecret),
  };
}

/** Raw protocol answers are probed field by field in tests, so they stay untyped here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RawJson = any;

export class RawSession {
  cookie = '';
  constructor(readonly baseUrl: string) {}

  async post(service: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: RawJson; text: string; setCookie: string[] }> {
    const response = await fetch(`${this.baseUrl}${service}.common.kdsvc`, {
      method: 'POST',
      headers: { 'Content-Type': 'applicatin/json', ...(this.cookie ? { Cookie: this.cookie } : {}), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const setCookie = response.headers.getSetCookie();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text, setCookie };
  }

  async login(): Promise<void> {
    const answer = await this.post('Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser', { parameters: [ACCT, USER, PASSWORD, 2052] });
    if (answer.json?.LoginResultType !== 1) throw new Error(`login failed: ${answer.text}`);
    this.cookie = ['Theme=standard', ...answer.setCookie.map((line) => line.split(';')[0])].join(';');
  }

  /** Positional body with data as a JSON string, like the Java SDK. */
  op(name: string, formId: string, data: unknown) {
    return this.post(`${D}.${name}`, { parameters: [formId, JSON.stringify(data)] });
  }

  query(data: Record<string, unknown>) {
    return this.post(`${D}.ExecuteBillQuery`, { parameters: [JSON.stringify(data)] });
  }
}
