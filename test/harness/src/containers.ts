import type { StartedTestContainer } from 'testcontainers';
import type { TestEndpoints } from './endpoints';

/**
 * Mode 2 of the harness: a container runtime answers, so Kafka, a registry and MongoDB run in containers
 * (developers' laptops and CI runners with Docker). Images are pinned to the versions the local stack uses.
 */
export const IMAGES = {
  kafka: 'apache/kafka:4.1.2',
  registry: 'apicurio/apicurio-registry:3.3.3',
  mongo: 'mongo:7.0',
};

/** True when a container runtime actually answers within the timeout (a Docker client alone is no signal). */
export async function containerRuntimeAnswers(timeoutMs = 5_000): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const probe = getContainerRuntimeClient().then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    return await Promise.race([probe, timeout]);
  } catch {
    return false;
  }
}

export async function startContainers(): Promise<{ endpoints: TestEndpoints; stop: () => Promise<void> }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const started: StartedTestContainer[] = [];
  try {
    // Kafka advertises the host-mapped port, so it must be known before the container starts.
    const { getFreePort } = await import('@yecai/common');
    const kafkaPort = await getFreePort();
    const kafka = await new GenericContainer(IMAGES.kafka)
      .withExposedPorts({ container: 9092, host: kafkaPort })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093',
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .start();
    started.push(kafka);
    const registry = await new GenericContainer(IMAGES.registry)
      .withExposedPorts(8080)
      .withEnvironment({
        APICURIO_RULES_GLOBAL_COMPATIBILITY: 'BACKWARD',
        APICURIO_CCOMPAT_USE_CANONICAL_HASH: 'true',
      })
      .withWaitStrategy(Wait.forHttp('/health/ready', 8080))
      .start();
    started.push(registry);
    const mongo = await new GenericContainer(IMAGES.mongo).withExposedPorts(27017).start();
    started.push(mongo);
    return {
      endpoints: {
        kafkaBrokers: `127.0.0.1:${kafkaPort}`,
        schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
        mongodbUri: `mongodb://${mongo.getHost()}:${mongo.getMappedPort(27017)}/`,
      },
      stop: async () => {
        await Promise.allSettled(started.map((container) => container.stop()));
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((container) => container.stop()));
    throw error;
  }
}
