/**
 * The query box of the admin lists (`?q=`): text a person typed, matched anywhere in the listed fields, ignoring case.
 * One pattern for every store: escaped (a `.` or `(` is the character, not a pattern) and bounded in length.
 */
export const SEARCH_TEXT_MAX = 200;

/** A case-insensitive pattern matching `text` literally; MongoDB filters take it as `$regex` with option `i`. */
export function searchPattern(text: string): RegExp {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > SEARCH_TEXT_MAX)
    throw new RangeError(`q: 1 to ${SEARCH_TEXT_MAX} characters (got ${trimmed.length})`);
  return new RegExp(trimmed.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'i');
}

/** Whether any of `fields` contains the pattern (for lists a service filters in process). */
export function matchesSearch(pattern: RegExp, fields: (string | null | undefined)[]): boolean {
  return fields.some((field) => typeof field === 'string' && pattern.test(field));
}
