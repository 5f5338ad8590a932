/**
 * The alert path end to end: a bill parked at level 1 in the sink ledger → the shipped YecaiBillsParked rule in a real
 * Prometheus → a real Alertmanager → this relay → the DingTalk and WeCom robot emulators; then the bill is re-pushed
 * (PARKED → POSTED, the metric back to 0) and the resolved message follows.
 *
 * Test-only timing: 1 s scrape/evaluation, the rule's `for: 30m` shortened to 2 s, Alertmanager group wait/interval
 * of 1 s / 2 s. Everything else of the rule (expr, labels, annotations) and of the routing
 * (deploy/prometheus/alertmanager.yml: level 1 at once) is the shipped one.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetricsRegistry, getFreePort, sleep, startOpsServer, type OpsServer } from '@yecai/common';
import type { RobotsEmulator } from '@yecai/emulator-robots';
import { Ledger, SinkMetrics, type LedgerEntry } from '@yecai/sink-kit';
import { cacheDir, installAlertmanager, installPrometheus, repoRoot, startAlertmanager, startPrometheus, type AlertingProcess } from '@yecai/stack';
import { testMongo } from '@yecai/test-harness';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { RunningAlertRelay } from './service';
import { startRelayWithRobots } from './test-support';

const root = repoRoot();
const paths = { root, cacheDir: cacheDir(root) };
const RULES = join(root, 'deploy/prometheus/rules/yecai.rules.yaml');

type Rule = { alert?: string; for?: string };
type RuleFile = { groups: { name: string; rules: Rule[] }[] };
type ShippedAlertmanager = {
  route: Record<string, unknown> & { routes?: Record<string, unknown>[] };
  receivers: { name: string; webhook_configs?: { url: string; http_config?: unknown }[] }[];
};

/** The shipped rule file, with only YecaiBillsParked kept and its `for` shortened. */
function testRules(): string {
  const shipped = parseYaml(readFileSync(RULES, 'utf8')) as RuleFile;
  const groups = shipped.groups
    .map((group) => ({ ...group, rules: group.rules.filter((rule) => rule.alert === 'YecaiBillsParked').map((rule) => ({ ...rule, for: '2s' })) }))
    .filter((group) => group.rules.length > 0);
  expect(groups).toHaveLength(1);
  return toYaml({ groups });
}

function parkedEntry(): Omit<LedgerEntry, 'revision' | 'createdAt' | 'updatedAt'> {
  return {
    _id: 'acct|SAL_OUTSTOCK|XSCK-ALERT-1',
    acctId: 'acct',
    formId: 'SAL_OUTSTOCK',
    billNo: 'XSCK-ALERT-1',
    documentType: 'sales_outstock',
    documentKey: 'jushuitan/main/sales_outstock/SO-ALERT-1',
    state: 'PARKED',
    stage: 'NONE',
    fid: null,
    version: 'v1',
    sourceModifiedAt: Date.now(),
    postedVersion: null,
    canonical: {} as LedgerEntry['canonical'],
    problem: { level: 1, code: 'KINGDEE_DATA', message: '物料编码 SKU-9 不存在 material SKU-9 does not exist', msgCode: 1 },
    attempts: 1,
    level2Retries: 0,
    nextRetryAt: null,
    skipped: null,
  };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

describe('alert: parked bill → Prometheus → Alertmanager → relay → 钉钉 and 企业微信', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yecai-alert-'));
  let robots: RobotsEmulator;
  let relay: RunningAlertRelay;
  let closeRelay: (() => Promise<void>) | undefined;
  let receiverToken: string;
  let sinkOps: OpsServer;
  let prometheus: AlertingProcess | undefined;
  let alertmanager: AlertingProcess | undefined;
  let ledger: Ledger;
  let closeMongo: () => Promise<void>;

  beforeAll(async () => {
    // Built once into the cache (minutes the first time); later runs find the binaries there.
    await installAlertmanager(paths);
    await installPrometheus(paths);
    const mongo = await testMongo('alert_relay');
    closeMongo = mongo.close;

    // The sink's own ledger gauge (yecai_sink_ledger_entries), served as the sink serves it.
    ledger = new Ledger(mongo.db);
    await ledger.loadCounts();
    const sinkRegistry = createMetricsRegistry('sink-kingdee');
    new SinkMetrics(sinkRegistry).attachLedger(ledger);
    sinkOps = await startOpsServer({ port: 0, registry: sinkRegistry, isReady: () => true });

    ({ robots, relay, close: closeRelay, receiverToken } = await startRelayWithRobots({ consoleUrl: 'http://console.yecai.test' }));

    writeFileSync(join(dir, 'receiver-token'), receiverToken);
    const alertmanagerPort = await getFreePort();
    // The shipped routing (deploy/prometheus/alertmanager.yml) with test timing and this relay's address.
    const shipped = parseYaml(readFileSync(join(root, 'deploy/prometheus/alertmanager.yml'), 'utf8')) as ShippedAlertmanager;
    const fast = { group_wait: '1s', group_interval: '2s' };
    shipped.route = { ...shipped.route, ...fast, routes: shipped.route.routes?.map((route) => ({ ...route, ...fast, group_wait: '0s' })) };
    for (const receiver of shipped.receivers) {
      for (const webhook of receiver.webhook_configs ?? []) {
        webhook.url = `${relay.url}/alerts`;
        webhook.http_config = { authorization: { credentials_file: join(dir, 'receiver-token') } };
      }
    }
    writeFileSync(join(dir, 'alertmanager.yml'), toYaml(shipped));
    alertmanager = await startAlertmanager(paths, { configFile: join(dir, 'alertmanager.yml'), dataDir: join(dir, 'alertmanager'), port: alertmanagerPort });

    writeFileSync(join(dir, 'rules.yaml'), testRules());
    writeFileSync(
      join(dir, 'prometheus.yml'),
      toYaml({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(dir, 'rules.yaml')],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] }] },
        scrape_configs: [{ job_name: 'yecai-sink-kingdee', static_configs: [{ targets: [`127.0.0.1:${sinkOps.port}`] }] }],
      }),
    );
    prometheus = await startPrometheus(paths, { configFile: join(dir, 'prometheus.yml'), dataDir: join(dir, 'prometheus'), port: await getFreePort() });
  }, 1_800_000);

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await closeRelay?.();
    await sinkOps?.close();
    await closeMongo?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a level-1 parked bill reaches both robots in Chinese with a console link, and the resolved message follows its re-push', async () => {
    const parkedAt = Date.now();
    const parked = await ledger.insert(parkedEntry(), 'parked');
    expect(parked).not.toBeNull();

    // Rule window in this test: 1 s scrape + 2 s `for` + 1 s group wait; 30 s leaves room for a loaded machine.
    const firing = await until('the firing messages', () => {
      const dingTalk = robots.received.find((m) => m.robot === 'dingtalk');
      const weCom = robots.received.find((m) => m.robot === 'wecom');
      return dingTalk && weCom ? { dingTalk, weCom } : undefined;
    }, 30_000);
    expect(firing.dingTalk.at - parkedAt).toBeLessThan(30_000);
    const dingTalkMarkdown = firing.dingTalk.body.markdown as { title: string; text: string };
    expect(dingTalkMarkdown.title).toBe('【一级异常 L1】YecaiBillsParked');
    expect(dingTalkMarkdown.text).toContain('SAL_OUTSTOCK: 1 张单据被搁置');
    expect(dingTalkMarkdown.text).toContain('流程 Flow：SAL_OUTSTOCK');
    expect(dingTalkMarkdown.text).toContain('http://console.yecai.test/exceptions?level=1&flow=SAL_OUTSTOCK');
    expect(firing.dingTalk.body.at).toEqual({ isAtAll: false });
    const weComContent = (firing.weCom.body.markdown as { content: string }).content;
    expect(weComContent).toContain('一级异常（数据错误，修正后重推）');
    expect(weComContent).toContain('修正数据或映射后重推');

    // The operator fixes the master data and re-pushes: the bill posts, PARKED goes back to 0.
    const posted = await ledger.transition(parked!, { state: 'POSTED', stage: 'AUDITED', postedVersion: 'v1', problem: null }, 'repushed', { actor: 'ops' });
    expect(posted).not.toBeNull();
    const resolved = await until('the resolved messages', () => {
      const dingTalk = robots.received.find((m) => m.robot === 'dingtalk' && (m.body.markdown as { title: string }).title.includes('已恢复'));
      const weCom = robots.received.find((m) => m.robot === 'wecom' && (m.body.markdown as { content: string }).content.includes('已恢复'));
      return dingTalk && weCom ? { dingTalk, weCom } : undefined;
    }, 30_000);
    expect((resolved.dingTalk.body.markdown as { title: string }).title).toBe('【已恢复 Resolved】一级异常 YecaiBillsParked');
    expect((resolved.weCom.body.markdown as { content: string }).content).toContain('恢复于 Resolved at');
    // One firing and one resolved message per robot: nothing sent twice.
    expect(robots.received.filter((m) => m.robot === 'dingtalk')).toHaveLength(2);
    expect(robots.received.filter((m) => m.robot === 'wecom')).toHaveLength(2);
  }, 90_000);
});
