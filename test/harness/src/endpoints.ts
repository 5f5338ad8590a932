/** Where the integration tests' Kafka, schema registry and MongoDB-wire server are (set by the global setup). */
export interface TestEndpoints {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  mongodbUri: string;
}

export const ENDPOINT_ENV = {
  kafkaBrokers: 'KAFKA_BROKERS',
  schemaRegistryUrl: 'SCHEMA_REGISTRY_URL',
  mongodbUri: 'MONGODB_URI',
} as const;

export function endpointsFromEnv(): TestEndpoints | undefined {
  const kafkaBrokers = process.env[ENDPOINT_ENV.kafkaBrokers];
  const schemaRegistryUrl = process.env[ENDPOINT_ENV.schemaRegistryUrl];
  const mongodbUri = process.env[ENDPOINT_ENV.mongodbUri];
  if (!kafkaBrokers || !schemaRegistryUrl || !mongodbUri) return undefined;
  return { kafkaBrokers, schemaRegistryUrl, mongodbUri };
}

export function testEndpoints(): TestEndpoints {
  const endpoints = endpointsFromEnv();
  if (!endpoints) {
    throw new Error(
      'integration test without infrastructure: KAFKA_BROKERS, SCHEMA_REGISTRY_URL and MONGODB_URI are unset — run it through jest\'s "integration" project (npm test), whose global setup provides them',
    );
  }
  return endpoints;
}
