/**
 * A transform worker of the mapping service (worker_threads, started by transform-pool.ts): maps chunks with the
 * service's rules, its own master-data cache (same staleness bound; the service forwards invalidations) and its own
 * copy of the schemas, and answers canonical messages plus what to park. It writes nothing itself.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '@yecai/common';
import { AvroSerde } from '@yecai/kafka';
import { CachedMasterDataLookup, MasterDataStore } from '@yecai/master-data';
import { connectMongo } from '@yecai/store';
import { ChunkMapper } from './chunk-mapper';
import { MappingEngine } from './rules/engine';
import { compileRuleFile } from './rules/load-rules';
import { packResult, unpackChunk, type WorkerInit, type WorkerReply, type WorkerRequest } from './transform-protocol';
import { WireCodec } from './wire-codec';

async function setUp(init: WorkerInit): Promise<{ mapper: ChunkMapper; lookup: CachedMasterDataLookup }> {
  const mongo = await connectMongo(init.mongodbUri, { appName: 'mapping-worker', maxPoolSize: 2 });
  const lookup = new CachedMasterDataLookup(new MasterDataStore(mongo.db(init.dbName)), { maxStalenessMs: init.maxStalenessMs });
  const codec = new WireCodec(new AvroSerde(init.registryUrl));
  for (const [, schemaId] of init.schemaIds) await codec.prepare(schemaId);
  const logger = createLogger('mapping-worker');
  const engine = new MappingEngine(init.rules.map(compileRuleFile), {
    lookup,
    sameCodeFallback: init.sameCodeFallback,
    financeTarget: init.financeTarget,
    // Traced in the log here; the service's metric counts the fallbacks of the chunks it maps itself.
    onSameCode: (use) => logger.info(use, 'same-code fallback: no source mapping, the Kingdee record of the same code used'),
  });
  return { mapper: new ChunkMapper(engine, codec, new Map(init.schemaIds)), lookup };
}

const port = parentPort;
if (port) {
  const ready = setUp(workerData as WorkerInit);
  // A failed start is reported, and answered to every request (the service aborts those transactions).
  ready.then(
    () => port.postMessage({ type: 'started' } satisfies WorkerReply),
    (error: unknown) => port.postMessage({ type: 'started', message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply),
  );
  port.on('message', (request: WorkerRequest) => {
    void (async () => {
      if (request.type === 'invalidate') {
        (await ready.catch(() => undefined))?.lookup.invalidate();
        return;
      }
      let reply: WorkerReply;
      try {
        const { mapper, lookup } = await ready;
        const result = await mapper.map(unpackChunk(request));
        reply = packResult(request.id, result, lookup.hits, lookup.misses);
        port.postMessage(reply, [reply.bytes]);
      } catch (error) {
        reply = { type: 'error', id: request.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
        port.postMessage(reply);
      }
    })();
  });
}
