/**
 * YonSuite ids are 16–19-digit integers beyond 2^53. The emulator keeps them as bigint, writes them as bare JSON
 * numbers (as the real gateway does, so a client's big-int handling is exercised) and reads integers too large for a
 * double back as exact text.
 */
type RawJson = { rawJSON(text: string): unknown };

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? (JSON as unknown as RawJson).rawJSON(item.toString()) : item,
  );
}

export function parseExact(text: string): unknown {
  return JSON.parse(text, function (_key: string, value: unknown, context?: { source?: string }) {
    if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source))
      return context.source;
    return value;
  } as (key: string, value: unknown) => unknown);
}
