/**
 * Authentication of every admin API (sink-kingdee under /admin, mapping's /master-data and /parked): bearer tokens
 * named in configuration as secret references (env:NAME, file:/path), each with a role. A viewer reads; an operator
 * also changes things. No token or an unknown one → 401, a viewer on a changing route → 403.
 *
 * Applying it: put `auth.guard` in front of a router (`router.use(auth.guard)`), and every route of that router —
 * including ones added later — needs a viewer token to read (GET/HEAD) and an operator token for anything else.
 * `auth.need('operator')` on one route asks for more than its method would. Each authenticated changing call is
 * logged and handed to `audit` once answered: who (the token's name, never the token), what (method, path) and the
 * outcome (status).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { resolveSecret } from './config';
import { ValidationError, errorMessage } from './errors';
import type { Logger } from './logger';

export const ADMIN_ROLES = ['viewer', 'operator'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** Shortest token accepted: a guessable token on a port that changes ERP data is worse than none. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/** One configured token: `{ name: alice, role: viewer, token: env:SINK_VIEWER_TOKEN }`. */
export const AdminTokenEntrySchema = z.object({
  /** Who the token belongs to: recorded as the actor of every change made with it. Not a secret. */
  name: z.string().regex(/^[A-Za-z0-9_.@-]+$/, 'name: letters, digits, _ . @ - (it names the actor in the audit trail)'),
  role: z.enum(ADMIN_ROLES),
  token: z.string().regex(/^(env|file):.+/, 'tokens are secret references: env:NAME or file:/path'),
});
export type AdminTokenEntry = z.infer<typeof AdminTokenEntrySchema>;

/**
 * The token list of a service configured only through the environment (mapping: MAPPING_ADMIN_TOKENS), as YAML or
 * JSON: `[{ name: ops, role: operator, token: env:MAPPING_ADMIN_TOKEN }]`. Unset or empty → no tokens.
 */
export const AdminTokensTextSchema = z.preprocess((text) => {
  if (text === undefined || (typeof text === 'string' && text.trim() === '')) return [];
  if (typeof text !== 'string') return text;
  try {
    return parseYaml(text) as unknown;
  } catch {
    return text; // fails the array check below, naming the variable
  }
}, z.array(AdminTokenEntrySchema, { error: 'a YAML/JSON list like [{ name: ops, role: operator, token: env:ADMIN_TOKEN }]' }));

/** A resolved token: only its SHA-256 digest is kept in memory, never the secret itself. */
export interface AdminToken {
  name: string;
  role: AdminRole;
  digest: Buffer;
}

export interface AdminCaller {
  name: string;
  role: AdminRole;
}

/** One authenticated call that changes something, as handed to the audit trail once it is answered. */
export interface AdminAction {
  at: Date;
  actor: string;
  role: AdminRole;
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

const digestOf = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

/**
 * Resolves the configured tokens' secrets (env/file). `field` names where the list came from (`admin.tokens`,
 * `MAPPING_ADMIN_TOKENS`) so a bad entry is reported by its path; the secret never appears in an error.
 */
export function resolveAdminTokens(entries: AdminTokenEntry[], field: string): AdminToken[] {
  const owners = new Map<string, string>();
  return entries.map((entry, index) => {
    const where = `${field}.${index}.token`;
    const secret = resolveSecret(entry.token, where);
    if (secret.length < MIN_ADMIN_TOKEN_LENGTH) {
      throw new ValidationError(
        `${where}: the token of "${entry.name}" (${entry.token}) has ${secret.length} characters; use at least ${MIN_ADMIN_TOKEN_LENGTH} random ones (e.g. openssl rand -hex 24)`,
        where,
      );
    }
    const digest = digestOf(secret);
    const owner = owners.get(digest.toString('hex'));
    if (owner !== undefined) throw new ValidationError(`${where}: "${entry.name}" has the same token as "${owner}"; give every person or role its own`, where);
    owners.set(digest.toString('hex'), entry.name);
    return { name: entry.name, role: entry.role, digest };
  });
}

/**
 * The caller a bearer token stands for. Constant time: the presented token is hashed to a fixed length and compared
 * with every configured digest by `timingSafeEqual`, so neither its length nor which token (if any) it matched shows
 * in the time taken.
 */
export function matchAdminToken(tokens: readonly AdminToken[], presented: string): AdminCaller | undefined {
  const digest = digestOf(presented);
  let found: AdminToken | undefined;
  for (const token of tokens) {
    if (timingSafeEqual(token.digest, digest) && found === undefined) found = token;
  }
  return found ? { name: found.name, role: found.role } : undefined;
}

/** Reading methods need a viewer; everything else changes something and needs an operator. */
export function requiredRole(method: string): AdminRole {
  return method === 'GET' || method === 'HEAD' ? 'viewer' : 'operator';
}

const CALLER = 'adminCaller';

/** The authenticated caller of this request (set by the guard), or undefined on an unguarded route. */
export function adminCaller(res: Response): AdminCaller | undefined {
  return res.locals[CALLER] as AdminCaller | undefined;
}

export interface AdminAuthOptions {
  tokens: readonly AdminToken[];
  logger?: Logger;
  /** Records an authenticated changing call once answered (e.g. into a MongoDB collection). Failures are logged. */
  audit?: (action: AdminAction) => Promise<void> | void;
}

export interface AdminAuth {
  /** Router-wide: GET/HEAD need a viewer token, every other method an operator token. */
  guard: RequestHandler;
  /** One route: at least `role`, whatever its method. */
  need(role: AdminRole): RequestHandler;
}

export function createAdminAuth(options: AdminAuthOptions): AdminAuth {
  const { tokens, logger, audit } = options;
  if (tokens.length === 0) logger?.warn('no admin tokens configured: every admin API call is refused with 401');

  const record = (req: Request, res: Response, caller: AdminCaller): void => {
    const started = Date.now();
    res.once('finish', () => {
      const action: AdminAction = { at: new Date(started), actor: caller.name, role: caller.role, method: req.method, path: req.originalUrl, status: res.statusCode, durationMs: Date.now() - started };
      logger?.info({ actor: action.actor, role: action.role, method: action.method, path: action.path, status: action.status }, 'admin action');
      if (audit) {
        void Promise.resolve()
          .then(() => audit(action))
          .catch((error: unknown) => logger?.error({ actor: action.actor, method: action.method, path: action.path, err: errorMessage(error) }, 'admin action not written to the audit trail'));
      }
    });
  };

  const authenticate = (req: Request, res: Response): AdminCaller | undefined => {
    const known = adminCaller(res);
    if (known) return known;
    const presented = /^Bearer +(\S+) *$/i.exec(req.header('authorization') ?? '')?.[1];
    const caller = presented === undefined ? undefined : matchAdminToken(tokens, presented);
    if (!caller) return undefined;
    res.locals[CALLER] = caller;
    if (requiredRole(req.method) === 'operator') record(req, res, caller);
    return caller;
  };

  const need = (role: AdminRole): RequestHandler => (req: Request, res: Response, next: NextFunction) => {
    const caller = authenticate(req, res);
    if (!caller) {
      logger?.warn({ method: req.method, path: req.originalUrl, presented: req.header('authorization') !== undefined }, 'admin call refused: no valid bearer token');
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer realm="yecai-admin"')
        .json({ error: '需要有效的访问令牌 a valid bearer token is required (Authorization: Bearer <token>)', field: 'authorization' });
      return;
    }
    if (role === 'operator' && caller.role !== 'operator') {
      res.status(403).json({ error: `需要操作员权限 operator role required (token "${caller.name}" is a ${caller.role})` });
      return;
    }
    next();
  };

  return { guard: (req, res, next) => need(requiredRole(req.method))(req, res, next), need };
}
