import { createHash, createHmac } from 'node:crypto';

/**
 * Kingdee WebAPI request signing (kingdee-webapi.md §3.2.3). Pure functions, no I/O, so the published
 * test vectors can be checked byte for byte.
 */

/** ASCII XOR key the official SDKs use to decode the second half of the AppID (ROT13 of a fixed seed). */
const CLIENT_SECRET_XOR_KEY = Buffer.from('0054f397c6234378b09ca7d3e5debce7', 'ascii');

/** base64(lowercase hex(HMAC-SHA256(key, message))) — both Kingdee signatures use this shape. */
export function kingdeeHmac(message: string, key: string): string {
  const hex = createHmac('sha256', Buffer.from(key, 'utf8')).update(message, 'utf8').digest('hex');
  return Buffer.from(hex, 'utf8').toString('base64');
}

/**
 * Decodes the client secret embedded in an AppID (`<clientId>_<32 base64 chars>`). Like the Python SDK,
 * a secret of the wrong length decodes to the empty string (the signature is then made with an empty key).
 */
export function decodeClientSecret(encoded: string): string {
  if (encoded.length !== 32) return '';
  const raw = Buffer.from(encoded, 'base64');
  const out = Buffer.alloc(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw[i]! ^ CLIENT_SECRET_XOR_KEY[i]!;
  return out.toString('base64');
}

export interface AppIdParts {
  clientId: string;
  clientSecret: string;
}

export function splitAppId(appId: string): AppIdParts {
  const parts = appId.split('_');
  if (parts.length !== 2) return { clientId: '', clientSecret: '' };
  return { clientId: parts[0]!, clientSecret: decodeClientSecret(parts[1]!) };
}

/** The path part of a service URL, percent-encoded with `/` as `%2F` (Python `quote()` + replace). */
export function encodeSignedPath(serviceUrlOrPath: string): string {
  let path = serviceUrlOrPath;
  if (/^https?:\/\//i.test(serviceUrlOrPath)) {
    const slash = serviceUrlOrPath.indexOf('/', 10);
    path = slash > -1 ? serviceUrlOrPath.slice(slash) : '/';
  }
  // encodeURIComponent agrees with Python quote()+'/'→'%2F' for every character a service path contains.
  return encodeURIComponent(path);
}

/** The canonical string of the API gateway format: method, path, empty query, sorted signed headers. */
export function canonicalSignString(encodedPath: string, nonce: string, timestamp: string): string {
  return `POST\n${encodedPath}\n\nx-api-nonce:${nonce}\nx-api-timestamp:${timestamp}\n`;
}

export interface SignatureIdentity {
  acctId: string;
  userName: string;
  appId: string;
  appSecret: string;
  lcid: number;
  orgNumber: string | number;
}

export function appDataString(identity: Pick<SignatureIdentity, 'acctId' | 'userName' | 'lcid' | 'orgNumber'>): string {
  return `${identity.acctId},${identity.userName},${identity.lcid},${identity.orgNumber}`;
}

export interface SignatureHeaderInput extends SignatureIdentity {
  /** Full service URL or its path. */
  serviceUrl: string;
  /** Unix time as sent: seconds (Python style) or milliseconds (Java/.NET style). */
  timestamp: string;
  /** Defaults to the timestamp, like the Python and Java SDKs. */
  nonce?: string;
}

/** The nine signature headers, named and cased as the Python SDK sends them. */
export function buildSignatureHeaders(input: SignatureHeaderInput): Record<string, string> {
  const nonce = input.nonce ?? input.timestamp;
  const { clientId, clientSecret } = splitAppId(input.appId);
  const canonical = canonicalSignString(encodeSignedPath(input.serviceUrl), nonce, input.timestamp);
  const appData = appDataString(input);
  return {
    'X-Api-ClientID': clientId,
    'X-Api-Auth-Version': '2.0',
    'x-api-timestamp': input.timestamp,
    'x-api-nonce': nonce,
    'x-api-signheaders': 'x-api-timestamp,x-api-nonce',
    'X-Api-Signature': kingdeeHmac(canonical, clientSecret),
    'X-Kd-Appkey': input.appId,
    'X-Kd-Appdata': Buffer.from(appData, 'utf8').toString('base64'),
    'X-Kd-Signature': kingdeeHmac(input.appId + appData, input.appSecret),
  };
}

/** LoginBySign: lowercase hex SHA-256 (or SHA-1 for servers before PT-146911) of the ordinal-sorted parts. */
export function loginBySignHash(
  parts: { acctId: string; userName: string; appId: string; appSecret: string; timestamp: string },
  algorithm: 'sha256' | 'sha1' = 'sha256',
): string {
  const sorted = [parts.acctId, parts.userName, parts.appId, parts.appSecret, parts.timestamp].sort();
  return createHash(algorithm).update(sorted.join(''), 'utf8').digest('hex');
}
