/**
 * Topic naming convention (docs/architecture.md § Topics):
 *
 *   <prefix>raw.<source>.<documentType>      raw source documents (RawDocument, key = document identity)
 *   <prefix>canonical.<documentType>         canonical business events (key = document identity)
 *   <prefix>checkpoint.<service>             compacted: source stream checkpoints (key = account/stream)
 *   <prefix>masterdata.<entity>              compacted: master-data change notices
 *
 * `prefix` defaults to `yecai.`; tests and parallel environments set YECAI_TOPIC_PREFIX to stay apart.
 * Schema-registry subjects use TopicNameStrategy: `<topic>-value`.
 */
const NAME_PART = /^[a-z0-9_]+$/;

export function topicPrefix(): string {
  return process.env.YECAI_TOPIC_PREFIX ?? 'yecai.';
}

function part(value: string, what: string): string {
  if (!NAME_PART.test(value)) throw new Error(`topic ${what} "${value}" must match ${NAME_PART}`);
  return value;
}

export const topics = {
  raw: (source: string, documentType: string) =>
    `${topicPrefix()}raw.${part(source, 'source')}.${part(documentType, 'documentType')}`,
  canonical: (documentType: string) => `${topicPrefix()}canonical.${part(documentType, 'documentType')}`,
  checkpoint: (service: string) => `${topicPrefix()}checkpoint.${part(service, 'service')}`,
  masterData: (entity: string) => `${topicPrefix()}masterdata.${part(entity, 'entity')}`,
};

export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

/** Kafka key of a document: all versions of one document share it, so they stay in one partition in order. */
export function documentKey(parts: { sourceSystem: string; account: string; documentType: string; sourceId: string }): string {
  return `${parts.sourceSystem}/${parts.account}/${parts.documentType}/${parts.sourceId}`;
}
