/**
 * JSON.parse that keeps every number's source text: a number whose JS value would print differently
 * (64-bit rowversions, `59.50`) becomes a JSON.rawJSON value, which JSON.stringify writes back verbatim.
 * The published payload is therefore the API's own number text, and content hashes are stable.
 */
type RawJsonApi = { rawJSON(text: string): unknown; isRawJSON(value: unknown): boolean };
const rawJsonApi = JSON as unknown as RawJsonApi;

export function parseJsonLossless(text: string): unknown {
  return JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: { source?: string }) {
    if (typeof value === 'number' && context?.source !== undefined && String(value) !== context.source) {
      return rawJsonApi.rawJSON(context.source);
    }
    return value;
  } as (this: unknown, key: string, value: unknown) => unknown);
}

/** The text of a scalar that may be a raw JSON number. */
export function scalarText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'object' && rawJsonApi.isRawJSON(value)) return (value as { rawJSON: string }).rawJSON;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}
