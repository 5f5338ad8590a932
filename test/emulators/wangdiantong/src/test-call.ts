import { DEFAULT_QYB_ACCOUNT, type WdtEmulator } from './server';
import { qybSign } from './signing';

export type Envelope = { code: number; message: string } & Record<string, unknown>;

/** A signed 企业版 call, as the sink's transport sends it (the emulator's tests). */
export async function qybCall(emulator: WdtEmulator, script: string, business: Record<string, string>, secret = DEFAULT_QYB_ACCOUNT.appsecret): Promise<Envelope> {
  const params: Record<string, string> = { sid: DEFAULT_QYB_ACCOUNT.sid, appkey: DEFAULT_QYB_ACCOUNT.appkey, timestamp: String(Math.floor(Date.now() / 1000)), ...business };
  params.sign = qybSign(params, secret);
  const response = await fetch(`${emulator.url}/openapi2/${script}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: new URLSearchParams(params),
  });
  return (await response.json()) as Envelope;
}
