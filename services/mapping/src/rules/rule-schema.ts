import { z } from 'zod';

/**
 * The mapping rules as people write them (services/mapping/rules/<source>/<flow>.yaml): the 《数据对接业务规范》
 * in machine-readable form. Every field spec says where its value comes from — exactly one of:
 * `value` (fixed), `from` (a source field path), `expr` (a JSONata expression) — plus the labels that the
 * generated docs/field-mapping.md shows to the finance lead.
 */
const expression = z.string().trim().min(1, 'must not be empty');

export const fieldSpecSchema = z
  .object({
    /** 中文 label of the target field as finance knows it, e.g. 单据编号. */
    label: z.string().min(1),
    /** Human name of the source field, e.g. 发货单号; shown in the mapping document. */
    sourceLabel: z.string().optional(),
    value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    from: z.string().regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/, 'must be a field path like io_id or cb_finance.rate').optional(),
    expr: expression.optional(),
    note: z.string().optional(),
  })
  .strict()
  .refine((spec) => [spec.value !== undefined, spec.from !== undefined, spec.expr !== undefined].filter(Boolean).length === 1, {
    message: 'exactly one of value, from, expr must be given',
  });

export const lookupSpecSchema = z
  .object({
    entity: z.enum(['org', 'warehouse', 'shop', 'sku', 'supplier', 'feeType', 'currency']),
    /** JSONata expression giving the key (source systems are prefixed automatically for source-scoped entities). */
    key: expression,
    label: z.string().optional(),
    /** Missing record → the binding is null instead of parking the document. */
    optional: z.boolean().default(false),
  })
  .strict();

export const filterSpecSchema = z
  .object({
    name: z.string().min(1),
    /** 中文 description for the mapping document. */
    description: z.string().min(1),
    /** JSONata predicate: the document (or line) is kept when it is true. */
    keep: expression,
  })
  .strict();

const FIELD_PATH = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/;

/** A line scope; `lines.lines` nests once more (e.g. assembly products → components). */
const linesSchema = z
  .object({
    /** Target array field in the canonical schema (e.g. lines). */
    target: z.string().default('lines'),
    /** Source array: a path in the parent (e.g. items), or a JSONata expression starting with `$` (e.g. `$doc.details_list`). */
    from: z.string().min(1),
    filters: z.array(filterSpecSchema).default([]),
    lookups: z.record(z.string().regex(/^[a-zA-Z]\w*$/), lookupSpecSchema).default({}),
    fields: z.record(z.string(), fieldSpecSchema),
  })
  .strict();

export const ruleFileSchema = z
  .object({
    flow: z.string().regex(/^[a-z0-9_]+\/[a-z0-9_]+$/, 'must look like <source>/<name>'),
    version: z.number().int().positive(),
    title: z.string().min(1),
    description: z.string().optional(),
    source: z.object({ system: z.string().min(1), documentType: z.string().regex(/^[a-z0-9_]+$/) }).strict(),
    target: z.object({ documentType: z.string().min(1), kingdeeForm: z.string().min(1) }).strict(),
    filters: z.array(filterSpecSchema).default([]),
    lookups: z.record(z.string().regex(/^[a-zA-Z]\w*$/), lookupSpecSchema).default({}),
    fields: z.record(z.string(), fieldSpecSchema),
    /**
     * One canonical event per element of a source array instead of one per document (e.g. WDT goods → one
     * material per spec): filters, lookups, fields and lines then read the element, `$doc` is the whole document,
     * and the event key is the document key + `/` + the element's `id`. A document is parked as a whole.
     */
    each: z
      .object({
        from: z.string().regex(FIELD_PATH, 'must be a field path like spec_list'),
        id: z.string().regex(FIELD_PATH, 'must be a field path like spec_no'),
      })
      .strict()
      .optional(),
    lines: linesSchema.extend({ lines: linesSchema.optional() }).optional(),
  })
  .strict();

export type FieldSpec = z.infer<typeof fieldSpecSchema>;
export type LookupSpec = z.infer<typeof lookupSpecSchema>;
export type FilterSpec = z.infer<typeof filterSpecSchema>;
export type RuleFile = z.infer<typeof ruleFileSchema>;
