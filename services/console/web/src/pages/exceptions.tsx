import { Alert, App, Button, DatePicker, Drawer, Input, Select, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, pick, query, type Lang } from '../api';
import { Json, useReasonPrompt } from './shared';
import {
  EXCEPTION_KINDS,
  EXCEPTION_KIND_NAMES,
  type ExceptionItem,
  type ExceptionKind,
} from '../../../src/exception-shapes';

type Item = ExceptionItem;
interface Trace {
  steps: { stage: string; title: string; data: unknown }[];
}

const KIND_COLORS: Record<ExceptionKind, string> = {
  'mapping-parked': 'red',
  'sink-parked': 'volcano',
  pending: 'gold',
  filtered: 'default',
};
const KINDS = EXCEPTION_KINDS.map((value) => ({ value, ...EXCEPTION_KIND_NAMES[value], color: KIND_COLORS[value] }));

export function ExceptionsPage({ lang, operator }: { lang: Lang; operator: boolean }) {
  const { message } = App.useApp();
  const [filters, setFilters] = useState<Record<string, string | undefined>>({});
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [data, setData] = useState<{ items: Item[]; hasMore: boolean; truncated?: string }>({
    items: [],
    hasMore: false,
  });
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<Item[]>([]);
  const [trace, setTrace] = useState<{ item: Item; trace?: Trace; error?: string } | null>(null);
  const { ask, modal } = useReasonPrompt(lang);
  // The last batch's outcome stays on the page until closed (a toast would vanish before a person reads the failures).
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [found, setFound] = useState<{
    key: string;
    places: { stage: string; id: string; state: string; billNo: string | null; at: string; note: string | null }[];
  } | null>(null);
  const find = async (key: string) => {
    if (key.trim() === '') return setFound(null);
    try {
      setFound(await api('GET', `/documents${query({ key: key.trim() })}`));
    } catch (error) {
      message.error((error as Error).message);
    }
  };

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api('GET', `/exceptions${query({ ...filters, page, pageSize })}`));
    } catch (error) {
      message.error((error as Error).message);
    } finally {
      setLoading(false);
    }
  }, [filters, page, pageSize, message]);
  useEffect(() => {
    void load();
  }, [load]);

  const set = (name: string, value: string | undefined) => {
    setPage(1);
    setFilters((current) => ({ ...current, [name]: value || undefined }));
  };
  const openTrace = async (item: Item) => {
    setTrace({ item });
    try {
      setTrace({
        item,
        trace: await api<Trace>('GET', `/exceptions/${item.kind}/${encodeURIComponent(item.id)}/trace`),
      });
    } catch (error) {
      setTrace({ item, error: (error as Error).message });
    }
  };
  const batch = async (action: 'repush' | 'skip') => {
    const reason = await ask(
      action === 'repush'
        ? pick(lang, `重推 ${selected.length} 条单据`, `Re-push ${selected.length} documents`)
        : pick(lang, `跳过 ${selected.length} 条单据`, `Skip ${selected.length} documents`),
    );
    if (!reason) return;
    try {
      const answer = await api<{
        done: number;
        already?: number;
        failed: number;
        results: { id: string; ok: boolean; error?: string }[];
      }>('POST', '/exceptions/batch', { action, reason, items: selected.map(({ kind, id }) => ({ kind, id })) });
      const what = action === 'repush' ? pick(lang, '重推', 're-pushed') : pick(lang, '跳过', 'skipped');
      const failure = answer.results.find((result) => !result.ok);
      setOutcome({
        ok: answer.failed === 0,
        text:
          pick(lang, `已${what} ${answer.done} 条`, `${answer.done} ${what}`) +
          (answer.already
            ? pick(
                lang,
                `（其中 ${answer.already} 条此前已自动重推 / ${answer.already} already re-pushed automatically）`,
                ` (${answer.already} of them already re-pushed automatically)`,
              )
            : '') +
          (answer.failed > 0
            ? pick(
                lang,
                `，失败 ${answer.failed} 条：${failure?.error ?? ''}`,
                `, ${answer.failed} failed: ${failure?.error ?? ''}`,
              )
            : ''),
      });
      setSelected([]);
      await load();
    } catch (error) {
      message.error((error as Error).message);
    }
  };
  const kindOf = (value: string) => KINDS.find((kind) => kind.value === value);

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Title level={3}>{pick(lang, '异常队列', 'Exceptions')}</Typography.Title>
      <Space wrap>
        <Select
          id="filter-kind"
          allowClear
          style={{ width: 180 }}
          placeholder={pick(lang, '类型', 'Kind')}
          onChange={(value?: string) => set('kind', value)}
          options={KINDS.map((kind) => ({ value: kind.value, label: pick(lang, kind.zh, kind.en) }))}
        />
        <Select
          allowClear
          style={{ width: 120 }}
          placeholder={pick(lang, '级别', 'Level')}
          onChange={(value?: number) => set('level', value === undefined ? undefined : String(value))}
          options={[1, 2, 3].map((level) => ({ value: level, label: `L${level}` }))}
        />
        <Input
          allowClear
          style={{ width: 160 }}
          placeholder={pick(lang, '流程 如 sales_outstock', 'Flow, e.g. sales_outstock')}
          onChange={(event) => set('flow', event.target.value)}
        />
        <Input
          allowClear
          style={{ width: 200 }}
          placeholder={pick(lang, '原因代码', 'Reason code')}
          onChange={(event) => set('code', event.target.value)}
        />
        <DatePicker.RangePicker
          onChange={(_dates, texts) => {
            set('from', texts[0]);
            set('to', texts[1]);
          }}
        />
        <Input.Search
          id="filter-q"
          allowClear
          style={{ width: 260 }}
          placeholder={pick(lang, '搜索 单号 / 单据键 / 原因', 'Search bill no. / key / reason')}
          onSearch={(value) => set('q', value)}
        />
        {/* A plain download: the session cookie goes with it; the file holds every row of these filters (cap 50,000). */}
        <Button id="export-excel" href={`/api/exceptions/export${query(filters)}`} download>
          {pick(lang, '导出 Excel', 'Export to Excel')}
        </Button>
      </Space>
      {operator && (
        <Space>
          <Button
            id="batch-repush"
            type="primary"
            disabled={selected.length === 0}
            onClick={() => void batch('repush')}
          >
            {pick(lang, '批量重推', 'Re-push selected')} ({selected.length})
          </Button>
          <Button id="batch-skip" danger disabled={selected.length === 0} onClick={() => void batch('skip')}>
            {pick(lang, '批量跳过', 'Skip selected')} ({selected.length})
          </Button>
        </Space>
      )}
      <Space>
        <Input.Search
          id="find-key"
          allowClear
          style={{ width: 420 }}
          placeholder={pick(lang, '查单据：输入单据键 jushuitan/…/sales_outstock/…', 'Find a document by its key')}
          enterButton={pick(lang, '查询', 'Find')}
          onSearch={(value) => void find(value)}
        />
      </Space>
      {found && (
        <Table
          id="found-document"
          size="small"
          pagination={false}
          rowKey={(place) => `${place.stage}:${place.id}`}
          dataSource={found.places}
          locale={{ emptyText: pick(lang, '没有找到这条单据', 'No such document') }}
          columns={[
            {
              title: pick(lang, '环节', 'Stage'),
              dataIndex: 'stage',
              render: (stage: string) =>
                stage === 'sink' ? pick(lang, '写入金蝶', 'Kingdee sink') : pick(lang, '映射', 'Mapping'),
            },
            {
              title: pick(lang, '状态', 'State'),
              dataIndex: 'state',
              render: (state: string) => (
                <Tag
                  className="found-state"
                  color={state === 'POSTED' ? 'green' : state === 'OPEN' || state === 'PARKED' ? 'red' : 'blue'}
                >
                  {state}
                </Tag>
              ),
            },
            { title: pick(lang, '金蝶单号', 'Bill no.'), dataIndex: 'billNo' },
            {
              title: pick(lang, '时间', 'Time'),
              dataIndex: 'at',
              render: (at: string) => new Date(at).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB'),
            },
            { title: pick(lang, '说明', 'Note'), dataIndex: 'note' },
          ]}
        />
      )}
      {outcome && (
        <Alert
          id="batch-result"
          type={outcome.ok ? 'success' : 'warning'}
          title={outcome.text}
          closable={{ onClose: () => setOutcome(null) }}
          showIcon
        />
      )}
      {data.truncated && <Typography.Text type="warning">{data.truncated}</Typography.Text>}
      <Table<Item>
        rowKey={(item) => `${item.kind}:${item.id}`}
        loading={loading}
        dataSource={data.items}
        size="small"
        rowSelection={
          operator
            ? {
                selectedRowKeys: selected.map((item) => `${item.kind}:${item.id}`),
                onChange: (_keys, rows) => setSelected(rows),
              }
            : undefined
        }
        pagination={{
          current: page,
          pageSize,
          total: (page - 1) * pageSize + data.items.length + (data.hasMore ? 1 : 0),
          showSizeChanger: true,
          onChange: (next, size) => {
            setPage(next);
            setPageSize(size);
          },
        }}
        columns={[
          {
            title: pick(lang, '类型', 'Kind'),
            dataIndex: 'kind',
            render: (kind: string) => (
              <Tag color={kindOf(kind)?.color}>{pick(lang, kindOf(kind)?.zh ?? kind, kindOf(kind)?.en ?? kind)}</Tag>
            ),
          },
          { title: pick(lang, '流程', 'Flow'), dataIndex: 'flow' },
          {
            title: pick(lang, '级别', 'Level'),
            dataIndex: 'level',
            render: (level: number | null) => (level ? `L${level}` : '—'),
          },
          {
            title: pick(lang, '原因', 'Reason'),
            render: (_value, item) => (
              <span title={item.code ?? ''}>{lang === 'zh' ? item.reasonZh : item.reasonEn || item.reasonZh}</span>
            ),
          },
          { title: pick(lang, '单据', 'Document'), render: (_value, item) => item.billNo ?? item.key ?? item.id },
          {
            title: pick(lang, '时间', 'Time'),
            dataIndex: 'at',
            render: (at: string) => new Date(at).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB'),
          },
          {
            title: '',
            render: (_value, item) => (
              <Button size="small" className="trace-button" onClick={() => void openTrace(item)}>
                {pick(lang, '追踪', 'Trace')}
              </Button>
            ),
          },
        ]}
      />
      <Drawer
        size="large"
        open={trace !== null}
        onClose={() => setTrace(null)}
        title={`${pick(lang, '单据追踪', 'Document trace')} ${trace?.item.billNo ?? trace?.item.key ?? ''}`}
      >
        {trace?.error && <Typography.Text type="danger">{trace.error}</Typography.Text>}
        {trace?.trace && (
          <Timeline
            items={trace.trace.steps.map((step) => ({
              content: (
                <div className="trace-step" data-stage={step.stage}>
                  <Typography.Text strong>{step.title}</Typography.Text>
                  <Json value={step.data} />
                </div>
              ),
            }))}
          />
        )}
      </Drawer>
      {modal}
    </Space>
  );
}
