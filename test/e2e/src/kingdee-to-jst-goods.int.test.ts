/**
 * Kingdee → 聚水潭 goods end to end (issue #20, F1 reverse, the Jushuitan project): a material saved, submitted and
 * audited in the Kingdee emulator with 是否网销 ticked → source-kingdee → Kafka → mapping (kingdee/material) → Kafka →
 * sink-jushuitan → the JST emulator's itemsku/upload. Real broker, registry and MongoDB-wire server; the three services
 * are child processes, so the writer can be SIGKILLed between its upload and its ledger record. Each such material
 * must end as exactly one JST goods row (sku_id = the material number, unit = the base unit, written once) — also after
 * a lost answer and after the kill; an unaudited material and one not sold online never reach JST.
 */
import { testEndpoints, uniqueName, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import { KingdeeJstPipeline } from './kingdee-jst-pipeline';

let pipeline: KingdeeJstPipeline;
const run = Date.now().toString(36).toUpperCase();

beforeAll(async () => {
  pipeline = await KingdeeJstPipeline.start({
    endpoints: testEndpoints(),
    topicPrefix: uniqueTopicPrefix('e2e-kd-jst'),
    mongoDb: uniqueName('e2e_kd_jst').replace(/-/g, '_'),
  });
}, 300_000);

afterAll(async () => {
  await pipeline?.stop();
});

/** Saves a material in Kingdee (base unit Pcs, stock unit Box), then submits and audits it unless told otherwise. */
const material = (suffix: string, options: { online?: boolean; audit?: boolean } = {}) =>
  pipeline.material(`E2E-${run}-${suffix}`, { ...options, name: `测试商品 ${suffix}` });
const writesOf = (sku: string) => pipeline.writesOf(sku);
const posted = (sku: string) => pipeline.posted(sku);

describe('Kingdee materials → 聚水潭 goods, exactly once (real Kafka + registry + MongoDB-wire; services as processes)', () => {
  it('an audited online material appears once in JST with the smallest unit — plainly, after a lost answer, after a SIGKILL of the writer; unaudited or not-online ones never', async () => {
    const draft = await material('DRAFT', { audit: false });
    const offline = await material('OFFLINE', { online: false });

    // 1. Plain.
    const plain = await material('PLAIN');
    await waitFor(() => posted(plain), `${plain} POSTED by sink-jushuitan`, 120_000);
    expect(pipeline.jst.goods.get(plain)).toMatchObject({ sku_id: plain, i_id: plain, name: '测试商品 PLAIN', properties_value: '红色;M', unit: 'Pcs', enabled: 1 });

    // 2. The JST answer is lost after the upload landed: the sink resolves it by querying the sku_id.
    pipeline.jst.setFaults({ lostAnswerNext: 1 });
    const lost = await material('LOST');
    await waitFor(() => posted(lost), `${lost} POSTED after its answer was lost`, 120_000);
    expect(pipeline.jst.stats.lost_answer).toBe(1);

    // 3. The writer is SIGKILLed after JST applied the upload and before the answer (and the ledger record): the
    // supervised sink restarts and finds the goods by sku_id instead of uploading again.
    pipeline.jst.setFaults({ holdAnswerMs: 5_000 });
    const killed = await material('KILLED');
    await waitFor(() => pipeline.jst.goods.get(killed) !== undefined, `${killed} uploaded to JST`, 120_000);
    expect(await posted(killed)).toBe(false);
    await pipeline.services.sink.kill();
    pipeline.jst.setFaults({ holdAnswerMs: 0 });
    await waitFor(() => posted(killed), `${killed} POSTED after the writer was killed mid-write`, 120_000);

    // Let any straggling redelivery or retry run, then count.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect([plain, lost, killed].map((sku) => [sku, writesOf(sku)])).toEqual([
      [plain, ['created']],
      [lost, ['created']],
      [killed, ['created']],
    ]);
    expect([draft, offline].map((sku) => [sku, pipeline.jst.goods.get(sku), writesOf(sku)])).toEqual([
      [draft, undefined, []],
      [offline, undefined, []],
    ]);
  }, 600_000);
});
