import { z } from 'zod';
import { parseWith } from '@yecai/common';

const NAME = /^[a-z0-9_]+$/;
const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * How a stream's cursor moves.
 * - `modified_time`: windows over the document's last-modified time. Windows are at most `maxWindowMs` (the API's
 *   limit) and `windowMs` (our choice; smaller windows mean fewer rows per window and a smaller dedup set).
 *   Every sync cycle starts `overlapMs` before the cursor, so rows that became visible late or share the
 *   boundary second are read again; the checkpoint's dedup set keeps re-reads from being published twice.
 *   The upper bound is `now − settleLagMs`: the source's clock, not ours, stamps `modified`.
 * - `monotonic_token`: a server-side increasing token (e.g. JST `ts` rowversion) queried as `token ≥ cursor`.
 */
export const cursorSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('modified_time'),
    maxWindowMs: z.number().int().positive(),
    windowMs: z
      .number()
      .int()
      .positive()
      .default(60 * MINUTE),
    overlapMs: z
      .number()
      .int()
      .nonnegative()
      .default(5 * MINUTE),
    settleLagMs: z
      .number()
      .int()
      .nonnegative()
      .default(60 * SECOND),
  }),
  z.object({
    kind: z.literal('monotonic_token'),
    /** Record field holding the token (compared as an unsigned integer of any size). */
    tokenField: z.string().min(1),
  }),
]);

/**
 * - `page_index_backward`: 1-based page numbers with a page count; pages are read last to first, so a row that
 *   leaves the window mid-scan (a late update) shifts later rows onto pages already read — a re-read, never a skip.
 * - `page_index_forward`: 1-based page numbers read first to last, stopping at `has_next = false`.
 * - `token`: one request per page, the next starting at the last token seen (only with a monotonic_token cursor).
 */
export const pagingSchema = z.object({
  style: z.enum(['page_index_backward', 'page_index_forward', 'token']),
  pageSize: z.number().int().positive(),
  maxPageSize: z.number().int().positive(),
});

export const streamDefinitionSchema = z
  .object({
    /** Stream name, unique within a source; also the raw topic's document type. */
    name: z.string().regex(NAME),
    /** Document type written on raw documents (usually equal to `name`). */
    documentType: z.string().regex(NAME),
    /** API endpoint (a path for JST, a method or script name elsewhere). */
    endpoint: z.string().min(1),
    description: z.string().default(''),
    /** Status the API is asked for; absent = whatever the API returns by default. Business filters belong in mapping. */
    statusFilter: z.string().optional(),
    /** Extra request parameters sent on every call (e.g. a document sub-type list). */
    params: z.record(z.string(), z.unknown()).default({}),
    cursor: cursorSchema,
    paging: pagingSchema,
    /** Record field with the document id. */
    idField: z.string().min(1),
    /** Record field with the last-modified time. */
    modifiedField: z.string().min(1),
    modifiedFormat: z.enum(['beijing_datetime', 'epoch_ms', 'iso8601']).default('beijing_datetime'),
  })
  .superRefine((stream, context) => {
    if (stream.paging.pageSize > stream.paging.maxPageSize) {
      context.addIssue({
        code: 'custom',
        path: ['paging', 'pageSize'],
        message: `must be ≤ maxPageSize ${stream.paging.maxPageSize}`,
      });
    }
    if (stream.cursor.kind === 'modified_time' && stream.cursor.windowMs > stream.cursor.maxWindowMs) {
      context.addIssue({
        code: 'custom',
        path: ['cursor', 'windowMs'],
        message: `must be ≤ maxWindowMs ${stream.cursor.maxWindowMs}`,
      });
    }
    if (stream.cursor.kind === 'modified_time' && stream.cursor.overlapMs >= stream.cursor.windowMs) {
      context.addIssue({ code: 'custom', path: ['cursor', 'overlapMs'], message: 'must be shorter than windowMs' });
    }
    if ((stream.paging.style === 'token') !== (stream.cursor.kind === 'monotonic_token')) {
      context.addIssue({
        code: 'custom',
        path: ['paging', 'style'],
        message: 'token paging goes with a monotonic_token cursor, and only with it',
      });
    }
  });

export type StreamDefinition = z.output<typeof streamDefinitionSchema>;
export type StreamDefinitionInput = z.input<typeof streamDefinitionSchema>;

/** Validates a source's stream declarations at load time; errors name the stream and field. */
export function defineStreams(source: string, streams: StreamDefinitionInput[]): StreamDefinition[] {
  const parsed = streams.map((stream, index) =>
    parseWith(streamDefinitionSchema, stream, `${source} stream #${index} (${stream.name})`),
  );
  const names = new Set<string>();
  for (const stream of parsed) {
    if (names.has(stream.name)) throw new Error(`${source}: stream name "${stream.name}" is declared twice`);
    names.add(stream.name);
  }
  return parsed;
}
