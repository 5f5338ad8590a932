import { AvroSerde } from '@yecai/kafka';
import { testEndpoints, uniqueTopicPrefix } from '@yecai/test-harness';
import { CANONICAL_DEFINITIONS } from './definitions';
import { canonicalSchemas, registerCanonicalSchemas, releasedVersions } from './index';

describe('canonical schemas in a Confluent-API registry', () => {
  it('registers every canonical schema under <topic>-value with BACKWARD compatibility, and the registry agrees each current schema is compatible with its released predecessor', async () => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('schemas');
    const url = testEndpoints().schemaRegistryUrl;
    const serde = new AvroSerde(url);
    // The released versions go in first, as a running deployment would have them.
    for (const canonical of canonicalSchemas()) {
      const released = releasedVersions(canonical.documentType);
      for (const { schema } of released) await serde.register(canonical.subject, schema);
    }
    const ids = await registerCanonicalSchemas(serde);
    expect([...ids.keys()].sort()).toEqual(CANONICAL_DEFINITIONS.map((definition) => definition.documentType).sort());
    for (const canonical of canonicalSchemas()) {
      expect(await serde.isCompatible(canonical.subject, canonical.schema)).toBe(true);
      expect(await serde.subjectCompatibility(canonical.subject)).toBe('BACKWARD');
    }
    // And the registry refuses what our unit check refuses: a new required field.
    const salesReturn = canonicalSchemas().find((canonical) => canonical.documentType === 'sales_return')!;
    const broken = { ...salesReturn.schema, fields: [...(salesReturn.schema.fields as object[]), { name: 'mustHave', type: 'string' }] };
    expect(await serde.isCompatible(salesReturn.subject, broken)).toBe(false);
  });
});
