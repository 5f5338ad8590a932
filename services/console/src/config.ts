/**
 * The console's configuration (YAML or JSON file, CONSOLE_CONFIG) and environment, validated at start with the
 * offending field named. Users log in with a name and password (role viewer or operator); the console calls each
 * service's admin API server-side with that service's bearer token — the browser never sees a token.
 *
 * ```yaml
 * session: { secret: env:CONSOLE_SESSION_SECRET, ttlMinutes: 480 }
 * users:
 *   - { name: alice, role: operator, password: env:ALICE_PASSWORD }   # plain text, hashed with scrypt at start
 *   - { name: bob, role: viewer, password: file:/run/secrets/bob }    # or a stored scrypt$… hash (yecai console hash)
 * services:
 *   sink: { url: http://sink-kingdee:8083, token: env:CONSOLE_SINK_TOKEN }
 *   mapping: { url: http://mapping:8082, token: env:CONSOLE_MAPPING_TOKEN }
 *   reconcile: { url: http://reconcile:8086, token: env:CONSOLE_RECONCILE_TOKEN }   # optional
 * ```
 */
import { ADMIN_ROLES, parseWith, readConfigFile, resolveSecret, ValidationError } from '@yecai/common';
import { z } from 'zod';
import { hashPassword, isPasswordHash, type PasswordHash, parsePasswordHash } from './passwords';

const secretRef = z.string().regex(/^(env|file):.+/, 'secrets are references: env:NAME or file:/path');

const ServiceSchema = z.object({
  url: z.url('url: the service ops port, e.g. http://sink-kingdee:9464'),
  token: secretRef,
});

export const ConsoleConfigSchema = z
  .object({
    session: z.object({
      secret: secretRef,
      ttlMinutes: z
        .number()
        .int()
        .min(5)
        .max(7 * 24 * 60)
        .default(480),
      /** Set the Secure flag on the session cookie (behind HTTPS). */
      secureCookie: z.boolean().default(false),
    }),
    users: z
      .array(
        z.object({
          name: z
            .string()
            .regex(/^[A-Za-z0-9_.@-]+$/, 'name: letters, digits, _ . @ - (it names the actor in the audit log)'),
          role: z.enum(ADMIN_ROLES),
          password: secretRef,
        }),
      )
      .min(1, 'users: at least one user'),
    services: z
      .object({
        sink: ServiceSchema,
        mapping: ServiceSchema,
        reconcile: ServiceSchema.optional(),
      })
      .strict(),
  })
  .strict();
export type ConsoleConfigInput = z.input<typeof ConsoleConfigSchema>;

export const ConsoleEnvSchema = z.object({
  CONSOLE_CONFIG: z.string().min(1, 'CONSOLE_CONFIG: path of the console config file'),
  CONSOLE_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  MONGODB_URI: z.string().min(1),
  MONGODB_DB: z.string().min(1).default('yecai'),
});

export interface ConsoleUser {
  name: string;
  role: (typeof ADMIN_ROLES)[number];
  hash: PasswordHash;
}

export interface ServiceEndpoint {
  url: string;
  token: string;
}

/** The resolved configuration: secrets read, passwords kept only as scrypt hashes. */
export interface ConsoleConfig {
  sessionSecret: Buffer;
  ttlMs: number;
  secureCookie: boolean;
  users: ConsoleUser[];
  services: { sink: ServiceEndpoint; mapping: ServiceEndpoint; reconcile?: ServiceEndpoint };
}

export function resolveConsoleConfig(input: unknown, source = 'console config'): ConsoleConfig {
  const config = parseWith(ConsoleConfigSchema, input, source);
  const secret = resolveSecret(config.session.secret, 'session.secret');
  if (secret.length < 32)
    throw new ValidationError(
      `session.secret: ${secret.length} characters; use at least 32 random ones (openssl rand -hex 32)`,
      'session.secret',
    );
  const names = new Set<string>();
  const users = config.users.map((user, index) => {
    const field = `users.${index}.password`;
    if (names.has(user.name))
      throw new ValidationError(`users.${index}.name: "${user.name}" appears twice`, `users.${index}.name`);
    names.add(user.name);
    const value = resolveSecret(user.password, field);
    if (isPasswordHash(value)) return { name: user.name, role: user.role, hash: parsePasswordHash(value, field) };
    if (value.length < 8)
      throw new ValidationError(
        `${field}: the password of "${user.name}" has ${value.length} characters; use at least 8`,
        field,
      );
    return { name: user.name, role: user.role, hash: hashPassword(value) };
  });
  const endpoint = (name: 'sink' | 'mapping' | 'reconcile') => {
    const service = config.services[name];
    return service
      ? { url: service.url.replace(/\/$/, ''), token: resolveSecret(service.token, `services.${name}.token`) }
      : undefined;
  };
  const reconcile = endpoint('reconcile');
  return {
    sessionSecret: Buffer.from(secret, 'utf8'),
    ttlMs: config.session.ttlMinutes * 60_000,
    secureCookie: config.session.secureCookie,
    users,
    services: { sink: endpoint('sink')!, mapping: endpoint('mapping')!, ...(reconcile ? { reconcile } : {}) },
  };
}

export function loadConsoleConfigFile(path: string): ConsoleConfig {
  return resolveConsoleConfig(readConfigFile(path, 'CONSOLE_CONFIG'), path);
}
