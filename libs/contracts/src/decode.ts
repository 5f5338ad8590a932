import type avro from 'avsc';
import { type AvroSerde, parseAvroSchemaAsPlain, readWireFormat } from '@yecai/kafka';
import type { CanonicalDocumentType, CanonicalEventOf } from './generated';
import { loadCanonicalSchema } from './index';

/** Reads one schema id's messages as the current contract: the payload → the typed plain value. */
type Reader = (payload: Buffer) => unknown;

/** Per serde (one registry), per document type and writer schema id: ids are immutable, so a reader is built once. */
const readersBySerde = new WeakMap<AvroSerde, Map<string, Promise<Reader>>>();
const contractTypes = new Map<string, avro.Type>();

/** The current contract of a document type, read as plain values (decimals as text). */
function contractType(documentType: string): avro.Type {
  let type = contractTypes.get(documentType);
  if (!type) {
    type = parseAvroSchemaAsPlain(loadCanonicalSchema(documentType).schema as avro.Schema);
    contractTypes.set(documentType, type);
  }
  return type;
}

async function buildReader(serde: AvroSerde, documentType: string, schemaId: number): Promise<Reader> {
  const contract = contractType(documentType);
  const writer = parseAvroSchemaAsPlain(await serde.writerSchema(schemaId));
  const exported = (type: avro.Type) => JSON.stringify(type.schema({ exportAttrs: true }));
  if (exported(writer) === exported(contract)) return (payload) => contract.fromBuffer(payload);
  // Written with another (older or newer) version: Avro schema resolution fills defaults and drops unknown fields,
  // so the value still has the shape of the generated type. Throws here when the versions are incompatible.
  const resolver = contract.createResolver(writer);
  return (payload) => contract.fromBuffer(payload, resolver);
}

/**
 * Decodes a canonical message (Confluent wire format) into the typed plain value of the current contract:
 * decimals as exact decimal text, timestamps as epoch millis, optional fields null — no Decimal objects and no JSON
 * round trip. The writer's schema comes from the registry once per schema id; messages written with another schema
 * version are resolved to the current one.
 */
export async function decodeCanonical<T extends CanonicalDocumentType>(
  serde: AvroSerde,
  documentType: T,
  message: Buffer,
): Promise<CanonicalEventOf<T>> {
  const { schemaId, payload } = readWireFormat(message);
  let readers = readersBySerde.get(serde);
  if (!readers) {
    readers = new Map();
    readersBySerde.set(serde, readers);
  }
  const key = `${documentType}\u0000${schemaId}`;
  let reader = readers.get(key);
  if (!reader) {
    reader = buildReader(serde, documentType, schemaId);
    reader.catch(() => readers.delete(key));
    readers.set(key, reader);
  }
  return (await reader)(payload) as CanonicalEventOf<T>;
}
