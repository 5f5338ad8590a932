/**
 * The console's login: a signed, HttpOnly, SameSite=Strict session cookie `yecai_console` holding the user's name,
 * role and expiry, signed with HMAC-SHA256 over the configured secret (nothing stored server-side; a changed secret
 * logs everyone out). Reads (GET/HEAD) need a session; every other method an operator's session.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AdminRole } from '@yecai/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ConsoleConfig, ConsoleUser } from './config';
import { verifyPassword } from './passwords';

export const SESSION_COOKIE = 'yecai_console';

export interface SessionUser {
  name: string;
  role: AdminRole;
}

interface Payload {
  u: string;
  r: AdminRole;
  exp: number;
}

export class Sessions {
  private readonly users: Map<string, ConsoleUser>;

  constructor(private readonly config: Pick<ConsoleConfig, 'sessionSecret' | 'ttlMs' | 'secureCookie' | 'users'>) {
    this.users = new Map(config.users.map((user) => [user.name, user]));
  }

  private sign(text: string): string {
    return createHmac('sha256', this.config.sessionSecret).update(text).digest('base64url');
  }

  /** The user for a name and password, or undefined (unknown names cost the same scrypt as known ones). */
  authenticate(name: string, password: string): SessionUser | undefined {
    const user = this.users.get(name);
    const stored = user?.hash ?? this.config.users[0]!.hash;
    const ok = verifyPassword(stored, password);
    return user && ok ? { name: user.name, role: user.role } : undefined;
  }

  issue(res: Response, user: SessionUser): void {
    const payload: Payload = { u: user.name, r: user.role, exp: Date.now() + this.config.ttlMs };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    res.cookie(SESSION_COOKIE, `${body}.${this.sign(body)}`, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.secureCookie,
      path: '/',
      maxAge: this.config.ttlMs,
    });
  }

  clear(res: Response): void {
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  /** The session's user, or undefined (no cookie, bad signature, expired, user removed from the config). */
  read(req: Request): SessionUser | undefined {
    const value = cookieOf(req.header('cookie') ?? '', SESSION_COOKIE);
    if (!value) return undefined;
    const [body, signature] = value.split('.');
    if (!body || !signature) return undefined;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    let payload: Payload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
    } catch {
      return undefined;
    }
    if (typeof payload.exp !== 'number' || payload.exp < Date.now()) return undefined;
    const user = this.users.get(payload.u);
    // The role comes from the current config: a user demoted to viewer loses operator rights at once.
    return user ? { name: user.name, role: user.role } : undefined;
  }

  /** Router-wide guard: a session to read, an operator's session for anything else. */
  guard(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const user = this.read(req);
      if (!user) {
        res.status(401).json({ error: '请先登录 please log in (no valid session)', field: 'session' });
        return;
      }
      res.locals.user = user;
      if (req.method !== 'GET' && req.method !== 'HEAD' && user.role !== 'operator') {
        res.status(403).json({ error: `需要操作员权限 operator role required ("${user.name}" is a ${user.role})` });
        return;
      }
      next();
    };
  }
}

export function sessionUser(res: Response): SessionUser {
  return res.locals.user as SessionUser;
}

function cookieOf(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return decodeURIComponent(part.slice(index + 1).trim());
  }
  return undefined;
}
