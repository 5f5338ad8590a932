/**
 * Proves an admin surface is authenticated route by route: walks every route an express app (an ops server) has,
 * nested routers included, and calls each one without a token, with a wrong one, as a viewer and as an operator.
 * A route added later is checked without anyone listing it.
 */
import type express from 'express';

export interface HttpRoute {
  method: string;
  path: string;
}

/** What an ops server answers without a token: probes and Prometheus. Everything else is admin. */
export const PUBLIC_OPS_ROUTES: readonly string[] = ['GET /healthz', 'GET /readyz', 'GET /metrics'];

interface Layer {
  rawPath?: string | string[];
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

const join = (prefix: string, path: string) => `${prefix.replace(/\/$/, '')}${path.startsWith('/') ? path : `/${path}`}` || '/';
const paths = (path: string | string[] | undefined) => (Array.isArray(path) ? path : [path ?? '/']);

function walk(stack: Layer[], prefix: string, out: HttpRoute[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).filter((method) => method !== '_all').map((method) => method.toUpperCase());
      for (const path of paths(layer.route.path)) for (const method of methods) out.push({ method, path: join(prefix, path) });
    } else if (layer.handle?.stack) {
      for (const path of paths(layer.rawPath)) walk(layer.handle.stack, path === '/' ? prefix : join(prefix, path), out);
    }
  }
}

/** Every route of the app, `{ method, path }` with mount paths joined, in registration order. */
export function expressRoutes(app: express.Express): HttpRoute[] {
  const out: HttpRoute[] = [];
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '', out);
  return out;
}

/** A concrete path for a route pattern: a parameter becomes `x`, a wildcard `x/y`, an optional part is dropped. */
export function samplePath(pattern: string): string {
  return pattern
    .replace(/\{[^}]*\}/g, '')
    .replace(/\*\w+/g, 'x/y')
    .replace(/:\w+/g, 'x');
}

const READS = new Set(['GET', 'HEAD']);

/**
 * Calls every route of `routes` on a running server and returns what is wrong (empty when all is well): each must
 * answer 401 without a token and with a wrong one; a viewer gets 403 on every changing route and is let through on
 * reads; an operator is let through everywhere ("let through" = neither 401 nor 403).
 */
export async function adminAuthProblems(baseUrl: string, routes: readonly HttpRoute[], tokens: { viewer: string; operator: string }): Promise<string[]> {
  const problems: string[] = [];
  const call = async (route: HttpRoute, token: string | undefined) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${baseUrl}${samplePath(route.path)}`, { method: route.method, headers, ...(READS.has(route.method) ? {} : { body: '{}' }) });
    await response.arrayBuffer();
    return response.status;
  };
  for (const route of routes) {
    const name = `${route.method} ${route.path}`;
    const anonymous = await call(route, undefined);
    if (anonymous !== 401) problems.push(`${name}: ${anonymous} without a token (want 401)`);
    const wrong = await call(route, `${tokens.operator}-not`);
    if (wrong !== 401) problems.push(`${name}: ${wrong} with a wrong token (want 401)`);
    const viewer = await call(route, tokens.viewer);
    if (READS.has(route.method) ? viewer === 401 || viewer === 403 : viewer !== 403) {
      problems.push(`${name}: ${viewer} for a viewer (want ${READS.has(route.method) ? 'neither 401 nor 403' : '403'})`);
    }
    const operator = await call(route, tokens.operator);
    if (operator === 401 || operator === 403) problems.push(`${name}: ${operator} for an operator`);
  }
  return problems;
}
