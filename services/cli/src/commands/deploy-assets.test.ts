/**
 * Keeps deploy/ honest against the code: every metric and label a Grafana panel or an alert rule uses is one a
 * service really exports (scanned from the prom-client definitions in libs/ and services/), ports agree with the
 * services' defaults, images are non-root Node 24 and copy files that exist, the NetworkPolicy keeps every ops port
 * private and compose publishes on loopback only. Strict on purpose: a renamed metric
 * or label must fail here, not on an empty dashboard in production.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

interface K8sContainer {
  ports?: unknown;
  livenessProbe?: { httpGet?: unknown };
  readinessProbe?: { httpGet?: unknown };
  securityContext?: unknown;
  resources?: { requests?: unknown; limits?: { memory?: string } };
  env?: { name: string; value?: string }[];
}

interface K8sDocument {
  kind: string;
  spec?: { template?: { spec: { securityContext?: unknown; containers: K8sContainer[] } } };
}

interface NetworkPolicyPeer {
  namespaceSelector?: { matchLabels?: Record<string, string> };
  podSelector?: { matchLabels?: Record<string, string> };
  ipBlock?: unknown;
}

interface NetworkPolicy {
  kind: string;
  spec: { podSelector: { matchLabels?: Record<string, string> }; policyTypes: string[]; ingress: { from?: NetworkPolicyPeer[]; ports?: unknown[] }[] };
}

const ROOT = join(__dirname, '..', '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface MetricDefinition {
  name: string;
  type: 'Counter' | 'Gauge' | 'Histogram' | 'Summary';
  labels: string[];
  file: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** The prom-client metrics defined in the code: `new Counter({ name: 'yecai_…', labelNames: [...] })`. */
function exportedMetrics(): Map<string, MetricDefinition> {
  const metrics = new Map<string, MetricDefinition>();
  for (const file of [...sourceFiles(join(ROOT, 'libs')), ...sourceFiles(join(ROOT, 'services'))]) {
    const text = readFileSync(file, 'utf8');
    const chunks = text.split(/new (Counter|Gauge|Histogram|Summary)\b(?:<[^>]*>)?\(/);
    for (let i = 1; i < chunks.length; i += 2) {
      const type = chunks[i] as MetricDefinition['type'];
      const body = chunks[i + 1] ?? '';
      const name = /name:\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'/.exec(body)?.[1];
      if (!name) continue;
      const labelList = /labelNames:\s*\[([^\]]*)\]/.exec(body.slice(0, body.indexOf('registers') > 0 ? body.indexOf('registers') + 200 : undefined));
      const labels = labelList ? [...(labelList[1] ?? '').matchAll(/'([a-zA-Z_][a-zA-Z0-9_]*)'/g)].map((m) => m[1] ?? '') : [];
      metrics.set(name, { name, type, labels, file: relative(ROOT, file) });
    }
  }
  return metrics;
}

// Labels every series has without the code naming them: createMetricsRegistry's default label and the scrape's
// target labels (compose static configs, the Prometheus operator's PodMonitor).
const AMBIENT_LABELS = ['service', 'job', 'instance', 'namespace', 'pod', 'container', 'endpoint'];

interface Expression {
  where: string;
  expr: string;
  /** Label templates used with the result: legends and alert annotations. */
  templates: string[];
}

function dashboardExpressions(): Expression[] {
  const dir = join(ROOT, 'deploy', 'grafana', 'dashboards');
  const out: Expression[] = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { panels: { title: string; targets?: { expr: string; legendFormat?: string }[] }[] };
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        out.push({ where: `${file} › ${panel.title}`, expr: target.expr, templates: [target.legendFormat ?? ''] });
      }
    }
  }
  return out;
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
}

function ruleFiles(): [string, RuleFile][] {
  const dir = join(ROOT, 'deploy', 'prometheus', 'rules');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => [name, parseYaml(readFileSync(join(dir, name), 'utf8')) as RuleFile]);
}

function ruleExpressions(): Expression[] {
  return ruleFiles().flatMap(([file, rules]) =>
    rules.groups.flatMap((group) =>
      group.rules.map((rule) => ({ where: `${file} › ${rule.alert ?? rule.record}`, expr: rule.expr, templates: Object.values(rule.annotations ?? {}) })),
    ),
  );
}

/** Resolves a series name to its metric: histograms expose <name>_bucket/_sum/_count. */
function metricOf(series: string, metrics: Map<string, MetricDefinition>): MetricDefinition | undefined {
  const direct = metrics.get(series);
  if (direct) return direct;
  const match = /^(.*)_(bucket|sum|count)$/.exec(series);
  const base = match ? metrics.get(match[1] ?? '') : undefined;
  if (!base || (base.type !== 'Histogram' && base.type !== 'Summary')) return undefined;
  if (match?.[2] === 'bucket' && base.type !== 'Histogram') return undefined;
  return base;
}

/** Problems of one PromQL expression: unknown yecai series, labels no used series carries. */
function checkExpression(expression: Expression, metrics: Map<string, MetricDefinition>): string[] {
  const problems: string[] = [];
  const series = [...new Set([...expression.expr.matchAll(/\b(yecai_[a-z0-9_]+)\b/g)].map((m) => m[1] ?? ''))];
  if (series.length === 0 && !/\bup\b/.test(expression.expr)) problems.push(`${expression.where}: uses no yecai metric`);
  const labels = new Set(AMBIENT_LABELS);
  for (const name of series) {
    const metric = metricOf(name, metrics);
    if (!metric) {
      problems.push(`${expression.where}: ${name} is not exported by any service`);
      continue;
    }
    for (const label of metric.labels) labels.add(label);
    if (name.endsWith('_bucket')) labels.add('le');
  }
  const used = new Set<string>();
  for (const selector of expression.expr.matchAll(/\b[a-z_:][a-z0-9_:]*\{([^}]*)\}/g)) {
    for (const matcher of (selector[1] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)) used.add(matcher[1] ?? '');
  }
  for (const clause of expression.expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) {
    for (const label of (clause[1] ?? '').split(',').map((l) => l.trim()).filter(Boolean)) used.add(label);
  }
  for (const template of expression.templates) {
    for (const match of template.matchAll(/\{\{\s*(?:\$labels\.)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g)) used.add(match[1] ?? '');
  }
  for (const label of used) if (!labels.has(label)) problems.push(`${expression.where}: label "${label}" is on none of ${series.join(', ') || 'its series'}`);
  return problems;
}

describe('deploy assets agree with the code', () => {
  const metrics = exportedMetrics();

  it('finds the metric definitions of all three services', () => {
    // If this fails, the scanner broke (or a service lost its metrics): the checks below would be vacuous.
    for (const name of ['yecai_source_documents_total', 'yecai_mapping_documents_total', 'yecai_sink_documents_total', 'yecai_sink_kingdee_call_seconds']) {
      expect(metrics.has(name)).toBe(true);
    }
    expect(metrics.get('yecai_sink_kingdee_msgcode_total')?.labels).toEqual(['operation', 'msg_code']);
  });

  it('every metric and label used by a dashboard or an alert rule is exported by a service', () => {
    const expressions = [...dashboardExpressions(), ...ruleExpressions()];
    expect(expressions.length).toBeGreaterThan(30);
    expect(expressions.flatMap((expression) => checkExpression(expression, metrics))).toEqual([]);
  });

  it('the checker itself rejects an unknown metric and a label the metric does not have', () => {
    expect(checkExpression({ where: 'x', expr: 'sum(rate(yecai_sink_documentz_total[5m]))', templates: [] }, metrics)).toEqual([
      'x: yecai_sink_documentz_total is not exported by any service',
    ]);
    expect(checkExpression({ where: 'x', expr: 'sum by (flow) (yecai_sink_documents_total)', templates: ['{{stream}}'] }, metrics)).toEqual([
      'x: label "flow" is on none of yecai_sink_documents_total',
      'x: label "stream" is on none of yecai_sink_documents_total',
    ]);
    expect(checkExpression({ where: 'x', expr: 'yecai_mapping_documents_total_bucket', templates: [] }, metrics)).toHaveLength(1);
  });

  it('every alert has a severity and a bilingual summary and description', () => {
    const alerts = ruleFiles().flatMap(([, file]) => file.groups.flatMap((group) => group.rules.filter((rule) => rule.alert)));
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    for (const alert of alerts) {
      expect({ alert: alert.alert, severity: alert.labels?.severity }).toEqual({ alert: alert.alert, severity: expect.stringMatching(/^(critical|warning)$/) });
      for (const key of ['summary', 'description']) {
        const text = alert.annotations?.[key] ?? '';
        expect({ alert: alert.alert, key, chinese: /[\u4e00-\u9fff]/.test(text), english: /[A-Za-z]{3,}/.test(text) }).toEqual({ alert: alert.alert, key, chinese: true, english: true });
      }
    }
  });

  it('dashboards: unique uids and panel ids, every panel queries through the datasource variable', () => {
    const dir = join(ROOT, 'deploy', 'grafana', 'dashboards');
    const uids = new Set<string>();
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
      const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        uid: string;
        templating: { list: { name: string; type: string }[] };
        panels: { id: number; type: string; datasource?: { uid: string }; targets?: unknown[] }[];
      };
      expect(uids.has(dashboard.uid)).toBe(false);
      uids.add(dashboard.uid);
      expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
        expect({ file, id: panel.id, datasource: panel.datasource?.uid, targets: (panel.targets ?? []).length > 0 }).toEqual({ file, id: panel.id, datasource: '${datasource}', targets: true });
      }
    }
    expect([...uids].sort()).toEqual(['yecai-flows', 'yecai-kingdee', 'yecai-source', 'yecai-yonyou']);
  });

  const SERVICES = [
    { name: 'source-jushuitan', config: 'services/source-jushuitan/src/source.ts', portPattern: /defineSource\(\{[^}]*opsPort: (\d+)/ },
    { name: 'source-wangdiantong', config: 'services/source-wangdiantong/src/source.ts', portPattern: /defineSource\(\{[^}]*opsPort: (\d+)/ },
    { name: 'mapping', config: 'services/mapping/src/config.ts', portPattern: /MAPPING_OPS_PORT:[^\n]*default\((\d+)\)/ },
    { name: 'sink-kingdee', config: 'services/sink-kingdee/src/main.ts', portPattern: /runSinkMain\(\{[^}]*defaultOpsPort: (\d+)/ },
    { name: 'sink-yonyou', config: 'services/sink-yonyou/src/main.ts', portPattern: /runSinkMain\(\{[^}]*defaultOpsPort: (\d+)/ },
    { name: 'sink-wangdiantong', config: 'services/sink-wangdiantong/src/main.ts', portPattern: /runSinkMain\(\{[^}]*defaultOpsPort: (\d+)/ },
    { name: 'sink-jushuitan', config: 'services/sink-jushuitan/src/main.ts', portPattern: /runSinkMain\(\{[^}]*defaultOpsPort: (\d+)/ },
    { name: 'sink-lingxing', config: 'services/sink-lingxing/src/main.ts', portPattern: /runSinkMain\(\{[^}]*defaultOpsPort: (\d+)/ },
    { name: 'alert-relay', config: 'services/alert-relay/src/config.ts', portPattern: /\n  port: z\.coerce[^\n]*default\((\d+)\)/ },
    { name: 'console', config: 'services/console/src/config.ts', portPattern: /CONSOLE_PORT:[^\n]*default\((\d+)\)/ },
    { name: 'reconcile', config: 'services/reconcile/src/config.ts', portPattern: /RECONCILE_OPS_PORT:[^\n]*default\((\d+)\)/ },
  ];

  it.each(SERVICES)('$name: image, Kubernetes, compose and Prometheus use the service’s ops port', ({ name, config, portPattern }) => {
    const port = portPattern.exec(read(config))?.[1];
    expect(port).toMatch(/^\d+$/);
    expect(read(`deploy/docker/${name}.Dockerfile`)).toContain(`EXPOSE ${port}`);
    const k8s = parseAllDocuments(read(`deploy/k8s/base/${name}.yaml`)).map((doc) => doc.toJS() as K8sDocument);
    const deployment = k8s.find((doc) => doc.kind === 'Deployment');
    const container = deployment?.spec?.template?.spec.containers[0];
    expect(container?.ports).toEqual([{ name: 'ops', containerPort: Number(port) }]);
    expect(container?.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'ops' });
    expect(container?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'ops' });
    expect(container?.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(deployment?.spec?.template?.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(container?.resources?.requests).toBeDefined();
    expect(container?.resources?.limits?.memory).toBeDefined();
    // Secrets reach the container only by reference.
    for (const variable of container?.env ?? []) expect({ name: variable.name, inline: /SECRET|TOKEN|PASSWORD|URI/.test(variable.name) && 'value' in variable }).toEqual({ name: variable.name, inline: false });
    expect(k8s.map((doc) => doc.kind)).toEqual(expect.arrayContaining(['Deployment', 'Service', 'PodDisruptionBudget']));
    expect(read('deploy/prometheus/prometheus.yml')).toContain(`'${name}:${port}'`);
  });

  it('Kubernetes: the NetworkPolicy admits only Prometheus and the operators’ namespace, only to the ops port, of every yecai pod', () => {
    const kustomization = parseYaml(read('deploy/k8s/base/kustomization.yaml')) as { resources: string[]; labels?: { pairs: Record<string, string>; includeTemplates?: boolean }[] };
    expect(kustomization.resources).toContain('networkpolicy.yaml');
    const policies = parseAllDocuments(read('deploy/k8s/base/networkpolicy.yaml')).map((doc) => doc.toJS() as NetworkPolicy);
    expect(policies.map((policy) => policy.kind)).toEqual(['NetworkPolicy']);
    const policy = policies[0]!;
    // Every Deployment's pods (with the labels kustomize adds to templates) are selected.
    const templateLabels = Object.assign({}, ...(kustomization.labels ?? []).filter((label) => label.includeTemplates).map((label) => label.pairs)) as Record<string, string>;
    const deployments = kustomization.resources
      .filter((file) => file.endsWith('.yaml'))
      .flatMap((file) => parseAllDocuments(read(`deploy/k8s/base/${file}`)).map((doc) => doc.toJS() as K8sDocument & { metadata: { name: string }; spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }))
      .filter((doc) => doc.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThanOrEqual(4);
    for (const deployment of deployments) {
      const labels = { ...deployment.spec?.template?.metadata?.labels, ...templateLabels };
      const selected = Object.entries(policy.spec.podSelector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
      expect({ deployment: deployment.metadata.name, selected }).toEqual({ deployment: deployment.metadata.name, selected: true });
      // The policy opens only the ops port: a pod listening on anything else would need a rule of its own.
      expect(deployment.spec?.template?.spec.containers.flatMap((container) => (container.ports as { name: string }[] | undefined) ?? []).map((port) => port.name)).toEqual(['ops']);
    }
    expect(policy.spec.policyTypes).toContain('Ingress');
    expect(policy.spec.ingress.length).toBeGreaterThan(0);
    for (const rule of policy.spec.ingress) {
      expect(rule.ports).toEqual([{ protocol: 'TCP', port: 'ops' }]);
      expect(rule.from?.length).toBeGreaterThan(0);
      // Only peers from labelled namespaces: no ipBlock, no bare podSelector (this namespace), no empty selector (everyone).
      for (const peer of rule.from ?? []) {
        expect(peer.ipBlock).toBeUndefined();
        expect(Object.keys(peer.namespaceSelector?.matchLabels ?? {}).length).toBeGreaterThan(0);
      }
    }
    const peers = policy.spec.ingress.flatMap((rule) => rule.from ?? []);
    expect(peers).toEqual([
      { namespaceSelector: { matchLabels: { 'yecai.io/ops-access': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } },
      { namespaceSelector: { matchLabels: { 'yecai.io/ops-access': 'operators' } } },
    ]);
    // The labels an operator must set are documented where they deploy.
    for (const label of ['yecai.io/ops-access=monitoring', 'yecai.io/ops-access=operators']) expect(read('docs/operations.md')).toContain(label);
  });

  it('docker compose publishes every port on loopback only (the ops ports carry the admin APIs)', () => {
    const compose = parseYaml(read('docker-compose.yml')) as { services: Record<string, { ports?: string[] }> };
    const published = Object.entries(compose.services).flatMap(([service, spec]) => (spec.ports ?? []).map((port) => ({ service, port })));
    expect(published.length).toBeGreaterThanOrEqual(4);
    for (const entry of published) expect(entry).toEqual({ service: entry.service, port: expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/) });
  });

  it('Dockerfiles: Node 24, non-root, and every file they copy or run exists', () => {
    const dir = join(ROOT, 'deploy', 'docker');
    const dockerfiles = readdirSync(dir).filter((name) => name.endsWith('.Dockerfile'));
    expect(dockerfiles.length).toBeGreaterThanOrEqual(3);
    for (const file of dockerfiles) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const from of text.matchAll(/^FROM\s+(\S+)/gm)) expect({ file, from: from[1] }).toEqual({ file, from: expect.stringMatching(/^node:24[.-]/) });
      const finalStage = text.slice(text.lastIndexOf('\nFROM '));
      expect({ file, user: /^USER\s+(\S+)/m.exec(finalStage)?.[1] }).toEqual({ file, user: expect.stringMatching(/^[1-9]\d{3,}(:\d+)?$/) });
      for (const copy of text.matchAll(/^COPY\s+(?!--from)(.+)$/gm)) {
        const sources = (copy[1] ?? '').split(/\s+/).slice(0, -1);
        for (const source of sources) expect({ file, source, exists: existsSync(join(ROOT, source)) }).toEqual({ file, source, exists: true });
      }
      const entry = /ENTRYPOINT \[[^\]]*"([^"]+\.ts)"\]/.exec(text)?.[1];
      expect({ file, entry, exists: entry ? existsSync(join(ROOT, entry)) : false }).toEqual({ file, entry, exists: true });
    }
  });
});
