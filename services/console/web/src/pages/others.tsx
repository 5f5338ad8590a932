import {
  App,
  Button,
  Card,
  Col,
  Input,
  Modal,
  Progress,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, pick, query, type Lang } from '../api';
import { Json, useReasonPrompt } from './shared';
import { EXCEPTION_KIND_NAMES } from '../../../src/exception-shapes';

interface Flow {
  documentType: string;
  forms: string[];
  paused: { by: string; reason: string; at: string } | null;
  targetUnavailable: number[];
}
interface Overview {
  flows: Flow[];
  lastOutage: { at: string; error: string } | null;
  counts: Record<string, { count: number; capped: boolean }>;
}

function useLoad<T>(path: string | null) {
  const { message } = App.useApp();
  const [data, setData] = useState<T>();
  const reload = useCallback(async () => {
    if (path === null) return;
    try {
      setData(await api<T>('GET', path));
    } catch (error) {
      message.error((error as Error).message);
    }
  }, [path, message]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, reload };
}

export function OverviewPage({ lang }: { lang: Lang }) {
  const { data } = useLoad<Overview>('/overview');
  const total = data ? Object.values(data.counts).reduce((sum, count) => sum + count.count, 0) : 0;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="large">
      <Typography.Title level={3}>{pick(lang, '总览', 'Overview')}</Typography.Title>
      <Row gutter={16}>
        {Object.entries(EXCEPTION_KIND_NAMES).map(([kind, { zh, en }]) => (
          <Col span={6} key={kind}>
            <Card>
              <Statistic
                title={pick(lang, zh, en)}
                value={data ? `${data.counts[kind]?.count ?? 0}${data.counts[kind]?.capped ? '+' : ''}` : '…'}
              />
              <Progress
                percent={total ? Math.round(((data?.counts[kind]?.count ?? 0) / total) * 100) : 0}
                showInfo={false}
              />
            </Card>
          </Col>
        ))}
      </Row>
      <Card title={pick(lang, '最近一次金蝶中断', 'Last Kingdee outage')}>
        {data?.lastOutage
          ? `${new Date(data.lastOutage.at).toLocaleString()} — ${data.lastOutage.error}`
          : pick(lang, '无', 'none')}
      </Card>
      <Card title={pick(lang, '流程', 'Flows')}>
        <Table<Flow>
          rowKey="documentType"
          size="small"
          pagination={false}
          dataSource={data?.flows ?? []}
          columns={[
            { title: pick(lang, '流程', 'Flow'), dataIndex: 'documentType' },
            {
              title: pick(lang, '金蝶单据', 'Kingdee forms'),
              dataIndex: 'forms',
              render: (forms: string[]) => forms.join(', '),
            },
            {
              title: pick(lang, '状态', 'State'),
              render: (_value, flow) =>
                flow.paused ? (
                  <Tag color="orange">{pick(lang, '已暂停', 'paused')}</Tag>
                ) : (
                  <Tag color="green">{pick(lang, '运行中', 'running')}</Tag>
                ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}

export function FlowsPage({ lang, operator }: { lang: Lang; operator: boolean }) {
  const { message } = App.useApp();
  const { data, reload } = useLoad<{ flows: Flow[] }>('/flows');
  const { ask, modal } = useReasonPrompt(lang);
  const move = async (flow: string, action: 'pause' | 'resume') => {
    const reason = await ask(
      `${action === 'pause' ? pick(lang, '暂停', 'Pause') : pick(lang, '恢复', 'Resume')} ${flow}`,
    );
    if (!reason) return;
    try {
      await api('POST', `/flows/${flow}/${action}`, { reason });
      await reload();
    } catch (error) {
      message.error((error as Error).message);
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Title level={3}>{pick(lang, '流程', 'Flows')}</Typography.Title>
      <Table<Flow>
        rowKey="documentType"
        pagination={false}
        dataSource={data?.flows ?? []}
        columns={[
          { title: pick(lang, '流程', 'Flow'), dataIndex: 'documentType' },
          {
            title: pick(lang, '金蝶单据', 'Kingdee forms'),
            dataIndex: 'forms',
            render: (forms: string[]) => forms.join(', '),
          },
          {
            title: pick(lang, '状态', 'State'),
            render: (_value, flow) =>
              flow.paused ? (
                <span>
                  <Tag color="orange">{pick(lang, '已暂停', 'paused')}</Tag>
                  {flow.paused.by}: {flow.paused.reason}
                </span>
              ) : (
                <Tag color="green">{pick(lang, '运行中', 'running')}</Tag>
              ),
          },
          {
            title: '',
            render: (_value, flow) =>
              operator && (
                <Button size="small" onClick={() => void move(flow.documentType, flow.paused ? 'resume' : 'pause')}>
                  {flow.paused ? pick(lang, '恢复', 'Resume') : pick(lang, '暂停', 'Pause')}
                </Button>
              ),
          },
        ]}
      />
      {modal}
    </Space>
  );
}

type Row = Record<string, unknown>;

export function MasterDataPage({ lang, operator }: { lang: Lang; operator: boolean }) {
  const { message } = App.useApp();
  const [entity, setEntity] = useState('warehouse');
  const [page, setPage] = useState(1);
  const entities = useLoad<{ entities: string[] }>('/master-data');
  const { data, reload } = useLoad<{ records: Row[]; hasMore: boolean }>(
    `/master-data/${entity}${query({ page, pageSize: 20 })}`,
  );
  const [editing, setEditing] = useState<{ text: string; reason: string; error?: string } | null>(null);
  const fields = [...new Set((data?.records ?? []).flatMap((record) => Object.keys(record)))].filter(
    (field) => field !== '_id' && field !== 'updatedAt',
  );
  const edit = (record?: Row) => {
    const template = record ?? Object.fromEntries(fields.map((field) => [field, '']));
    const plain = Object.fromEntries(
      Object.entries(template).filter(([field]) => field !== '_id' && field !== 'updatedAt'),
    );
    setEditing({ text: JSON.stringify(plain, null, 2), reason: '' });
  };
  const save = async () => {
    if (!editing) return;
    let record: Row;
    try {
      record = JSON.parse(editing.text) as Row;
    } catch (error) {
      setEditing({ ...editing, error: `JSON: ${(error as Error).message}` });
      return;
    }
    try {
      await api('PUT', `/master-data/${entity}`, { record, reason: editing.reason });
      message.success(pick(lang, '已保存', 'Saved'));
      setEditing(null);
      await reload();
    } catch (error) {
      setEditing({ ...editing, error: (error as Error).message });
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Title level={3}>{pick(lang, '主数据', 'Master data')}</Typography.Title>
      <Space>
        <Select
          id="entity-select"
          style={{ width: 200 }}
          value={entity}
          onChange={(value: string) => {
            setEntity(value);
            setPage(1);
          }}
          options={(entities.data?.entities ?? []).map((name) => ({ value: name, label: name }))}
        />
        {operator && (
          <Button id="md-add" type="primary" onClick={() => edit()}>
            {pick(lang, '新增', 'Add')}
          </Button>
        )}
      </Space>
      <Table<Row>
        rowKey={(record) => String(record._id)}
        size="small"
        dataSource={data?.records ?? []}
        pagination={{
          current: page,
          pageSize: 20,
          total: (page - 1) * 20 + (data?.records.length ?? 0) + (data?.hasMore ? 1 : 0),
          onChange: setPage,
        }}
        columns={[
          ...fields.map((field) => ({
            title: field,
            dataIndex: field,
            render: (value: unknown) => (typeof value === 'object' ? JSON.stringify(value) : String(value ?? '')),
          })),
          {
            title: '',
            render: (_value: unknown, record: Row) =>
              operator && (
                <Button size="small" onClick={() => edit(record)}>
                  {pick(lang, '编辑', 'Edit')}
                </Button>
              ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={`${pick(lang, '编辑主数据', 'Edit master data')} · ${entity}`}
        onCancel={() => setEditing(null)}
        onOk={() => void save()}
        okButtonProps={{ id: 'md-save', disabled: (editing?.reason.trim().length ?? 0) < 2 }}
        okText={pick(lang, '保存', 'Save')}
        cancelText={pick(lang, '取消', 'Cancel')}
      >
        {editing?.error && (
          <Typography.Text type="danger" id="md-error">
            {editing.error}
          </Typography.Text>
        )}
        <Input.TextArea
          id="md-json"
          rows={10}
          value={editing?.text}
          onChange={(event) => editing && setEditing({ ...editing, text: event.target.value })}
          style={{ fontFamily: 'monospace' }}
        />
        <Input
          id="md-reason"
          style={{ marginTop: 8 }}
          placeholder={pick(lang, '原因（必填）', 'Reason (required)')}
          value={editing?.reason}
          onChange={(event) => editing && setEditing({ ...editing, reason: event.target.value })}
        />
      </Modal>
    </Space>
  );
}

interface Report {
  period: string;
  verdict: string;
  generatedAt: string;
  by?: string;
}

export function ReconcilePage({ lang, operator }: { lang: Lang; operator: boolean }) {
  const { message } = App.useApp();
  const { data, reload } = useLoad<{ reports: Report[] }>('/reconcile/reports');
  const [period, setPeriod] = useState('');
  const [detail, setDetail] = useState<unknown>();
  const { ask, modal } = useReasonPrompt(lang);
  const run = async () => {
    const reason = await ask(`${pick(lang, '运行对账', 'Run reconciliation')} ${period}`);
    if (!reason) return;
    try {
      await api('POST', '/reconcile/runs', { period, reason });
      await reload();
    } catch (error) {
      message.error((error as Error).message);
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Title level={3}>{pick(lang, '对账', 'Reconciliation')}</Typography.Title>
      {operator && (
        <Space>
          <Input
            style={{ width: 140 }}
            placeholder="2026-11"
            value={period}
            onChange={(event) => setPeriod(event.target.value)}
          />
          <Button type="primary" disabled={!/^\d{4}-\d{2}$/.test(period)} onClick={() => void run()}>
            {pick(lang, '运行对账', 'Run')}
          </Button>
        </Space>
      )}
      <Table<Report>
        rowKey={(report) => `${report.period}-${report.generatedAt}`}
        size="small"
        dataSource={data?.reports ?? []}
        columns={[
          { title: pick(lang, '期间', 'Period'), dataIndex: 'period' },
          {
            title: pick(lang, '结论', 'Verdict'),
            dataIndex: 'verdict',
            render: (verdict: string) => (
              <Tag color={verdict.includes('一致') && !verdict.includes('差异') ? 'green' : 'red'}>{verdict}</Tag>
            ),
          },
          {
            title: pick(lang, '生成时间', 'Generated'),
            dataIndex: 'generatedAt',
            render: (at: string) => new Date(at).toLocaleString(),
          },
          {
            title: '',
            render: (_value, report) => (
              <Space>
                <Button
                  size="small"
                  onClick={async () =>
                    setDetail(
                      await api('GET', `/reconcile/reports/${report.period}`).catch((error: Error) => error.message),
                    )
                  }
                >
                  {pick(lang, '明细', 'Details')}
                </Button>
                <a href={`/api/reconcile/reports/${report.period}/workbook`}>{pick(lang, '下载 Excel', 'Workbook')}</a>
              </Space>
            ),
          },
        ]}
      />
      {detail !== undefined && <Json value={detail} />}
      {modal}
    </Space>
  );
}

interface AuditRow {
  at: string;
  actor: string;
  action: string;
  target: string;
  reason: string | null;
  outcome: string;
  detail?: string;
}

export function AuditPage({ lang }: { lang: Lang }) {
  const [page, setPage] = useState(1);
  const { data } = useLoad<{ records: AuditRow[]; hasMore: boolean }>(`/audit${query({ page, pageSize: 50 })}`);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Title level={3}>{pick(lang, '审计日志', 'Audit log')}</Typography.Title>
      <Table<AuditRow>
        rowKey={(row) => `${row.at}-${row.actor}-${row.target}`}
        size="small"
        dataSource={data?.records ?? []}
        pagination={{
          current: page,
          pageSize: 50,
          total: (page - 1) * 50 + (data?.records.length ?? 0) + (data?.hasMore ? 1 : 0),
          onChange: setPage,
        }}
        columns={[
          { title: pick(lang, '时间', 'When'), dataIndex: 'at', render: (at: string) => new Date(at).toLocaleString() },
          { title: pick(lang, '操作人', 'Who'), dataIndex: 'actor' },
          { title: pick(lang, '操作', 'What'), dataIndex: 'action' },
          { title: pick(lang, '对象', 'Target'), dataIndex: 'target' },
          { title: pick(lang, '原因', 'Why'), dataIndex: 'reason' },
          {
            title: pick(lang, '结果', 'Outcome'),
            dataIndex: 'outcome',
            render: (outcome: string, row) => (
              <Tag color={outcome === 'ok' ? 'green' : 'red'} title={row.detail}>
                {outcome}
              </Tag>
            ),
          },
        ]}
      />
    </Space>
  );
}
