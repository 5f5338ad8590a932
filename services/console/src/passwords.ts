/**
 * Console passwords: kept in memory (and optionally stored in the secret) only as scrypt hashes,
 * `scrypt$<N>$<salt base64>$<hash base64>`; compared in constant time.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '@yecai/common';

export interface PasswordHash {
  cost: number;
  salt: Buffer;
  hash: Buffer;
}

const KEY_LENGTH = 32;
const COST = 16384;
const PATTERN = /^scrypt\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

export function hashPassword(password: string, cost = COST): PasswordHash {
  const salt = randomBytes(16);
  return { cost, salt, hash: scryptSync(password, salt, KEY_LENGTH, { N: cost }) };
}

export function formatPasswordHash(hash: PasswordHash): string {
  return `scrypt$${hash.cost}$${hash.salt.toString('base64')}$${hash.hash.toString('base64')}`;
}

export function isPasswordHash(text: string): boolean {
  return text.startsWith('scrypt$');
}

export function parsePasswordHash(text: string, field: string): PasswordHash {
  const match = PATTERN.exec(text);
  if (!match) throw new ValidationError(`${field}: not a scrypt$<N>$<salt>$<hash> text`, field);
  return { cost: Number(match[1]), salt: Buffer.from(match[2]!, 'base64'), hash: Buffer.from(match[3]!, 'base64') };
}

export function verifyPassword(stored: PasswordHash, presented: string): boolean {
  const candidate = scryptSync(presented, stored.salt, stored.hash.length, { N: stored.cost });
  return timingSafeEqual(candidate, stored.hash);
}
