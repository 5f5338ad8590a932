/** Helpers for an emulator's `main.ts`: flags checked with a clear bilingual message, stop on Ctrl-C / SIGTERM. */

/** The flags every emulator's `main.ts` takes (parseArgs options); an emulator adds its own limits beside them. */
export function commonEmulatorFlags(defaultPort: string) {
  return {
    port: { type: 'string', default: defaultPort },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    /** Generated documents in all, spread evenly across the document types. */
    documents: { type: 'string', default: '10000' },
    /** Spread over the past N days (up to two minutes ago). */
    days: { type: 'string', default: '30' },
    /** JSON of the emulator's faults, e.g. '{"serverErrorRate":0.05,"latencyMs":80}'; also POST /__admin/faults. */
    faults: { type: 'string', default: '{}' },
  } as const;
}

/**
 * `total` documents evenly across `types` (rounded up: `generated` says how many), modified over the past `days` up
 * to two minutes before `now` — the emulator's `documents` start option.
 */
export function documentsOverPastDays<T extends string>(types: readonly T[], total: number, days: number, now = Date.now()) {
  const perType = Math.ceil(total / types.length);
  return {
    perType: Object.fromEntries(types.map((type) => [type, perType])) as Record<T, number>,
    fromMs: now - days * 86_400_000,
    toMs: now - 120_000,
    generated: perType * types.length,
  };
}

/** A non-negative integer flag, or exit 2 naming the flag. */
export function nonNegativeIntegerFlag(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`参数 --${name} 必须是非负整数 / --${name} must be a non-negative integer, got "${text}"`);
    process.exit(2);
  }
  return value;
}

/** A JSON flag (e.g. `--faults '{"serverErrorRate":0.05}'`), or exit 2 naming the flag. */
export function jsonFlag<T>(name: string, text: string | undefined, fallback: T): T {
  if (text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    console.error(`参数 --${name} 必须是 JSON / --${name} must be JSON, got ${text}`);
    process.exit(2);
  }
}

/** Closes the emulator and exits on SIGINT or SIGTERM. */
export function closeOnSignals(emulator: { close(): Promise<void> }): void {
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
