import { createHmac, timingSafeEqual } from 'node:crypto';

/** DingTalk refuses a signed call whose timestamp is more than an hour away from its clock. */
export const DINGTALK_TIMESTAMP_WINDOW_MS = 3_600_000;

/**
 * The emulator's own reading of DingTalk's 加签 rule (written from the robot docs, not shared with the relay):
 * string_to_sign = timestamp + "\n" + secret; sign = Base64(HmacSHA256(string_to_sign, key = secret)).
 */
export function expectedDingTalkSign(timestamp: string, secret: string): Buffer {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'));
  mac.update(Buffer.from(`${timestamp}\n${secret}`, 'utf8'));
  return Buffer.from(mac.digest('base64'), 'utf8');
}

export type SignVerdict = 'ok' | 'missing' | 'stale timestamp' | 'sign mismatch';

/** `sign` as the query parser decoded it (the sender URL-encodes the base64, so `+`, `/` and `=` survive). */
export function verifyDingTalkSign(timestamp: unknown, sign: unknown, secret: string, nowMs: number): SignVerdict {
  if (typeof timestamp !== 'string' || typeof sign !== 'string' || !/^\d{13}$/.test(timestamp)) return 'missing';
  if (Math.abs(nowMs - Number(timestamp)) > DINGTALK_TIMESTAMP_WINDOW_MS) return 'stale timestamp';
  const expected = expectedDingTalkSign(timestamp, secret);
  const given = Buffer.from(sign, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'sign mismatch';
}
