import type { AvroSerde } from '@yecai/kafka';

interface AvroType {
  fromBuffer(buffer: Buffer): unknown;
  encode(value: unknown, buffer: Buffer, position: number): number;
}

const HEADER_BYTES = 5;

/**
 * The Confluent wire format (magic byte 0, schema id, Avro body) for the mapping service's hot path: each schema
 * id's avsc type is resolved once through the registry client, then every document is decoded and encoded
 * synchronously, an event written once into a scratch buffer and copied out (the registry client's encode makes a
 * promise, a body buffer, a header buffer and their concatenation per event). The output is byte-identical.
 */
export class WireCodec {
  private readonly types = new Map<number, AvroType>();
  private scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(private readonly serde: AvroSerde) {}

  /** Resolves (and keeps) the type of a schema id; unknown ids are fetched from the registry. */
  async prepare(schemaId: number): Promise<void> {
    if (!this.types.has(schemaId)) this.types.set(schemaId, (await this.serde.registry.getSchema(schemaId)) as unknown as AvroType);
  }

  /** A value in the wire format; synchronous once the schema id is prepared. */
  decode<T>(buffer: Buffer): T | Promise<T> {
    if (buffer.length < HEADER_BYTES || buffer[0] !== 0) {
      throw new Error(`message is not in the schema registry wire format (magic byte ${buffer.length > 0 ? buffer[0] : 'missing'}, expected 0)`);
    }
    const schemaId = buffer.readInt32BE(1);
    const type = this.types.get(schemaId);
    if (type) return type.fromBuffer(buffer.subarray(HEADER_BYTES)) as T;
    return this.prepare(schemaId).then(() => this.decode<T>(buffer));
  }

  /** `value` in the wire format under `schemaId`; synchronous once the schema id is prepared. */
  encode(schemaId: number, value: unknown): Buffer | Promise<Buffer> {
    const type = this.types.get(schemaId);
    if (!type) return this.prepare(schemaId).then(() => this.encode(schemaId, value));
    for (;;) {
      const end = type.encode(value, this.scratch, HEADER_BYTES);
      if (end >= 0) {
        const out = Buffer.allocUnsafe(end);
        out[0] = 0;
        out.writeInt32BE(schemaId, 1);
        this.scratch.copy(out, HEADER_BYTES, HEADER_BYTES, end);
        return out;
      }
      // avsc answers how many bytes were missing: grow and write again.
      this.scratch = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.scratch.length - end));
    }
  }
}
