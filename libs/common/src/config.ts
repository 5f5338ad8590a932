import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ValidationError } from './errors';

/**
 * Reads a YAML (or JSON) configuration file into plain data for `parseWith`. `field` names where the path came
 * from (`--config`, `SINK_CONFIG`) so the error tells a person what to fix.
 */
export function readConfigFile(path: string, field = 'config'): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`${field}: cannot read ${path}`, field, error);
  }
  try {
    return parseYaml(text);
  } catch (error) {
    throw new ValidationError(`${field} ${path}: not YAML/JSON (${String(error)})`, field, error);
  }
}

/**
 * Validates configuration (or any input) against a zod schema; the error names every offending field,
 * prefixed by where the input came from (a file, an env var, a request body).
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  const firstField = result.error.issues[0]?.path.join('.') || '(root)';
  throw new ValidationError(`${source}: invalid — ${issues.join('; ')}`, firstField, result.error);
}

/**
 * A secret comes from an environment variable or a file (Kubernetes Secret mounts), never from the
 * config file itself. Reference syntax: `env:NAME` or `file:/path`.
 */
export function resolveSecret(reference: string, field: string): string {
  if (reference.startsWith('env:')) {
    const name = reference.slice(4);
    const value = process.env[name];
    if (value === undefined || value === '') {
      throw new ValidationError(`${field}: environment variable ${name} is not set`, field);
    }
    return value;
  }
  if (reference.startsWith('file:')) {
    const path = reference.slice(5);
    try {
      return readFileSync(path, 'utf8').trim();
    } catch (error) {
      throw new ValidationError(`${field}: cannot read secret file ${path}`, field, error);
    }
  }
  throw new ValidationError(`${field}: secrets must be given as env:NAME or file:/path, not inline`, field);
}
