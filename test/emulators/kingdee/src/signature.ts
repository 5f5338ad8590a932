import { createHmac } from 'node:crypto';

/**
 * The emulator's own check of Kingdee's signed requests (kingdee-webapi.md §3.2.3, §3.2.7), kept apart from
 * @yecai/kingdee's signer: a bug in the client's signing is refused here. Checked against the spec's vectors
 * (§3.2.6) in test/signature.test.ts.
 */

/** base64 of the lower-case hex HMAC-SHA256 (not of the raw bytes), as every SDK sends it. */
export function kingdeeHmac(message: string, key: string): string {
  return Buffer.from(createHmac('sha256', Buffer.from(key, 'utf8')).update(message, 'utf8').digest('hex'), 'utf8').toString('base64');
}

/** Server-side twin of the SDK's DecodeAppSecret: base64 of (base64-decoded AppID half XOR a fixed key). */
export function decodeClientSecret(encoded: string): string {
  if (encoded.length !== 32) return '';
  const key = Buffer.from('0054f397c6234378b09ca7d3e5debce7', 'ascii');
  const raw = Buffer.from(encoded, 'base64');
  return Buffer.from(raw.map((byte, i) => byte ^ key[i]!)).toString('base64');
}

/** Gateway canonical string: method, encoded path (`/` as %2F), empty query line, nonce then timestamp. */
export function canonicalRequest(path: string, nonce: string, timestamp: string): string {
  return `POST\n${encodeURIComponent(path)}\n\nx-api-nonce:${nonce}\nx-api-timestamp:${timestamp}\n`;
}

/** X-Api-Signature of a request to `path`, keyed by the client secret hidden in the AppID's second half. */
export function expectedApiSignature(appId: string, path: string, nonce: string, timestamp: string): string {
  const clientSecEnc = appId.split('_')[1] ?? '';
  return kingdeeHmac(canonicalRequest(path, nonce, timestamp), decodeClientSecret(clientSecEnc));
}

/** X-Kd-Signature: keyed by the AppSecret over AppID + the decoded X-Kd-Appdata. */
export function expectedKdSignature(appId: string, appData: string, appSecret: string): string {
  return kingdeeHmac(appId + appData, appSecret);
}
