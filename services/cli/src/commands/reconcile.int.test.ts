/**
 * `yecai reconcile` as an operator runs it: flags, the Kingdee connection file, the summary printed in Chinese and
 * English, the workbook, the JSON and the metrics file written, exit code 1 only when the verdict is 有差异.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { KingdeeClient, resolveKingdeeConnection } from '@yecai/kingdee';
import { canonical, kingdeeConfig, startEmulator } from '@yecai/sink-kingdee/test/fixtures';
import { startSinkUnderTest, useUniqueTopicPrefix, type SinkUnderTest } from '@yecai/sink-kingdee/test/sink-under-test';
import { uniqueName } from '@yecai/test-harness';
import { reconcileCommand } from './reconcile';

jest.setTimeout(180_000);

describe('yecai reconcile (real Kafka + FerretDB + Kingdee emulator)', () => {
  let emulator: KingdeeEmulator;
  let sink: SinkUnderTest;
  afterAll(async () => {
    await sink?.stop();
    await emulator?.close();
  });

  it('prints the verdict and writes the workbook, JSON and metrics; exit code 1 once a bill is deleted in Kingdee', async () => {
    useUniqueTopicPrefix();
    emulator = await startEmulator();
    sink = await startSinkUnderTest(emulator);
    await sink.produce(
      'sales_outstock',
      ['R-1', 'R-2'].map((id) => canonical('sales_outstock', id, { date: '2026-11-05' })),
    );
    await sink.waitForStates({ POSTED: 2 }, 'both documents posted');

    const dir = mkdtempSync(join(tmpdir(), 'yecai-reconcile-'));
    const configPath = join(dir, 'sink.json');
    writeFileSync(configPath, JSON.stringify({ kingdee: kingdeeConfig(emulator) }));
    const flags = {
      period: '2026-11',
      'kingdee-config': configPath,
      db: sink.db.databaseName,
      group: uniqueName('yecai-reconcile'),
      out: join(dir, 'report.xlsx'),
      json: join(dir, 'report.json'),
      html: join(dir, 'report.html'),
      'metrics-file': join(dir, 'reconcile.prom'),
    };
    const run = async () => {
      const lines: string[] = [];
      process.exitCode = undefined;
      await reconcileCommand([], flags, (line) => lines.push(line));
      const exitCode = process.exitCode;
      process.exitCode = undefined;
      return { lines, exitCode };
    };

    const clean = await run();
    expect(clean.exitCode).toBeUndefined();
    expect(clean.lines[0]).toBe('业财一致性报告 2026-11 — 结论 verdict: 一致 consistent');
    expect(clean.lines.join('\n')).toMatch(/sales_outstock\s+│?\s*100\s.*\b2\s.*\b2\s.*452\.00.*452\.00.*0%.*0%.*一致/);
    expect(clean.lines).toContain(`已写 Excel wrote ${flags.out}`);
    expect(readFileSync(flags.out).subarray(0, 2).toString()).toBe('PK');
    expect(readFileSync(flags.html, 'utf8')).toContain('<span class="一致">一致</span>');
    expect(JSON.parse(readFileSync(flags.json, 'utf8'))).toMatchObject({
      period: '2026-11',
      verdict: '一致',
      differences: [],
    });
    expect(readFileSync(flags['metrics-file'], 'utf8')).toMatch(
      /yecai_reconcile_difference_rate\{flow="sales_outstock",org="100",period="2026-11",kind="amount"\} 0/,
    );

    const kingdee = new KingdeeClient(resolveKingdeeConnection(kingdeeConfig(emulator)));
    for (const op of ['UnAudit', 'Delete'] as const)
      await kingdee.operateEach(op, 'SAL_OUTSTOCK', { numbers: ['R-2'] });
    const deleted = await run();
    expect(deleted.exitCode).toBe(1);
    expect(deleted.lines[0]).toBe('业财一致性报告 2026-11 — 结论 verdict: 有差异 differences');
    expect(deleted.lines.join('\n')).toMatch(/金蝶缺单 MISSING_IN_KINGDEE\s+│?\s*1\s/);
    expect(readFileSync(flags['metrics-file'], 'utf8')).toMatch(
      /yecai_reconcile_differences\{flow="sales_outstock",period="2026-11",class="MISSING_IN_KINGDEE"\} 1/,
    );
  });
});
