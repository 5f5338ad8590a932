import type { z } from 'zod';

/** A bad admin-API input: answered 400 with the field it names (`{ error, field }`). */
export class AdminBadRequest extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Input validation of every yecai admin API (sink, reconciliation, console): the first issue, naming its field. */
export function parseAdminInput<S extends z.ZodType>(schema: S, input: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || '(root)';
  throw new AdminBadRequest(field, `${where}.${field}: ${issue.message}`);
}
