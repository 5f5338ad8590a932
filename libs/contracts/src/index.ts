import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type avro from 'avsc';
import { AvroSerde, parseAvroSchema, topics, valueSubject } from '@yecai/kafka';
import { CANONICAL_DEFINITIONS, canonicalDefinition, type CanonicalDefinition } from './definitions';

export { CANONICAL_DEFINITIONS, canonicalDefinition, DECIMAL_SCALES } from './definitions';
export type { CanonicalDefinition } from './definitions';
export type * from './generated';
export { CANONICAL_DOCUMENT_TYPES } from './generated';
export { decodeCanonical } from './decode';

export const SCHEMAS_ROOT = join(__dirname, '..');
export const CANONICAL_DIR = join(SCHEMAS_ROOT, 'avro', 'canonical');
export const RELEASED_DIR = join(SCHEMAS_ROOT, 'released');
export const RAW_DOCUMENT_SCHEMA_PATH = join(SCHEMAS_ROOT, 'avro', 'raw', 'raw-document.avsc');

export interface CanonicalSchema extends CanonicalDefinition {
  /** The schema as stored in libs/contracts/avro/canonical/<documentType>.avsc. */
  schema: Record<string, unknown>;
  type: avro.Type;
  topic: string;
  subject: string;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

export function canonicalSchemaPath(documentType: string): string {
  return join(CANONICAL_DIR, `${documentType}.avsc`);
}

/** Loads one canonical schema from its .avsc file; the topic honours YECAI_TOPIC_PREFIX at call time. */
export function loadCanonicalSchema(documentType: string): CanonicalSchema {
  const definition = canonicalDefinition(documentType);
  const schema = readJson(canonicalSchemaPath(documentType));
  const topic = topics.canonical(documentType);
  return { ...definition, schema, type: parseAvroSchema(schema as avro.Schema), topic, subject: valueSubject(topic) };
}

/** Every canonical schema with its topic and registry subject. */
export function canonicalSchemas(): CanonicalSchema[] {
  return CANONICAL_DEFINITIONS.map((definition) => loadCanonicalSchema(definition.documentType));
}

export function loadRawDocumentSchema(): Record<string, unknown> {
  return readJson(RAW_DOCUMENT_SCHEMA_PATH);
}

/** Released versions of a schema, oldest first: libs/contracts/released/<documentType>/v<N>.avsc. */
export function releasedVersions(documentType: string): { version: number; schema: Record<string, unknown> }[] {
  const dir = join(RELEASED_DIR, documentType);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((file) => /^v(\d+)\.avsc$/.exec(file))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ version: Number(match[1]), schema: readJson(join(dir, match[0])) }))
    .sort((a, b) => a.version - b.version);
}

/**
 * Whether data written with `writer` can be read with `reader` (Avro schema resolution, i.e. BACKWARD
 * compatibility of `reader` against `writer`). Returns the resolver's complaint, or null when compatible.
 */
export function backwardIncompatibility(reader: Record<string, unknown>, writer: Record<string, unknown>): string | null {
  try {
    parseAvroSchema(reader as avro.Schema).createResolver(parseAvroSchema(writer as avro.Schema));
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Registers every canonical schema under `<topic>-value` with BACKWARD compatibility set on the subject
 * first, so the registry itself refuses an incompatible change. Returns documentType → schema id.
 */
export async function registerCanonicalSchemas(serde: AvroSerde): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const canonical of canonicalSchemas()) {
    await serde.setCompatibility(canonical.subject, 'BACKWARD');
    ids.set(canonical.documentType, await serde.register(canonical.subject, canonical.schema));
  }
  return ids;
}

/** Value of a RawDocument (avro/raw/raw-document.avsc) as decoded: timestamps as epoch millis. */
export interface RawDocument {
  sourceSystem: string;
  account: string;
  documentType: string;
  sourceId: string;
  sourceModifiedAt: number;
  fetchedAt: number;
  payload: string;
  contentHash: string;
  origin: 'LIVE' | 'BACKFILL';
}
