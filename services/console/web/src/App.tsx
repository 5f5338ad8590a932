import {
  App as AntApp,
  Button,
  ConfigProvider,
  Form,
  Input,
  Layout,
  Menu,
  Segmented,
  Space,
  Typography,
  Card,
  Alert,
} from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useEffect, useState } from 'react';
import { api, pick, type Lang, type User } from './api';
import { ExceptionsPage } from './pages/exceptions';
import { AuditPage, FlowsPage, MasterDataPage, OverviewPage, ReconcilePage } from './pages/others';

const PAGES = [
  { key: 'overview', zh: '总览', en: 'Overview' },
  { key: 'exceptions', zh: '异常', en: 'Exceptions' },
  { key: 'flows', zh: '流程', en: 'Flows' },
  { key: 'master-data', zh: '主数据', en: 'Master data' },
  { key: 'reconcile', zh: '对账', en: 'Reconciliation' },
  { key: 'audit', zh: '审计', en: 'Audit log' },
] as const;
type PageKey = (typeof PAGES)[number]['key'];

const pageOfPath = (): PageKey => {
  const key = window.location.pathname.replace(/^\//, '').split('/')[0] ?? '';
  return (PAGES.find((page) => page.key === key)?.key ?? 'overview') as PageKey;
};

function Login({ lang, onLogin }: { lang: Lang; onLogin: (user: User) => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <Card
      title={pick(lang, '登录 业财控制台', 'Log in to the yecai console')}
      style={{ maxWidth: 400, margin: '120px auto' }}
    >
      {error && <Alert type="error" title={error} style={{ marginBottom: 16 }} />}
      <Form
        layout="vertical"
        onFinish={async (values: { name: string; password: string }) => {
          setBusy(true);
          try {
            onLogin((await api<{ user: User }>('POST', '/login', values)).user);
          } catch (failure) {
            setError((failure as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item name="name" label={pick(lang, '用户名', 'Name')} rules={[{ required: true }]}>
          <Input id="login-name" autoComplete="username" />
        </Form.Item>
        <Form.Item name="password" label={pick(lang, '密码', 'Password')} rules={[{ required: true }]}>
          <Input.Password id="login-password" autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} block id="login-submit">
          {pick(lang, '登录', 'Log in')}
        </Button>
      </Form>
    </Card>
  );
}

export function App() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem('yecai-lang') === 'en' ? 'en' : 'zh'));
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [page, setPage] = useState<PageKey>(pageOfPath);

  useEffect(() => {
    api<{ user: User }>('GET', '/me')
      .then((answer) => setUser(answer.user))
      .catch(() => setUser(null));
    const onPop = () => setPage(pageOfPath());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go = (key: PageKey) => {
    window.history.pushState(null, '', `/${key}`);
    setPage(key);
  };
  const switchLang = (next: Lang) => {
    localStorage.setItem('yecai-lang', next);
    setLang(next);
  };
  const operator = user?.role === 'operator';

  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS}>
      <AntApp>
        <Layout style={{ minHeight: '100vh' }}>
          <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 24 }}>
            <Typography.Text style={{ color: '#fff', fontSize: 18, whiteSpace: 'nowrap' }}>业财 yecai</Typography.Text>
            {user && (
              <Menu
                theme="dark"
                mode="horizontal"
                selectedKeys={[page]}
                style={{ flex: 1 }}
                items={PAGES.map((item) => ({
                  key: item.key,
                  label: <span data-page={item.key}>{pick(lang, item.zh, item.en)}</span>,
                }))}
                onClick={(item) => go(item.key as PageKey)}
              />
            )}
            <Space style={{ marginLeft: 'auto' }}>
              <Segmented<Lang>
                id="lang-switch"
                value={lang}
                onChange={switchLang}
                options={[
                  { label: '中文', value: 'zh' },
                  { label: 'English', value: 'en' },
                ]}
              />
              {user && (
                <>
                  <Typography.Text style={{ color: '#fff' }} id="current-user">
                    {user.name} ·{' '}
                    {user.role === 'operator' ? pick(lang, '操作员', 'operator') : pick(lang, '只读', 'viewer')}
                  </Typography.Text>
                  <Button
                    size="small"
                    onClick={async () => {
                      await api('POST', '/logout');
                      setUser(null);
                    }}
                  >
                    {pick(lang, '退出', 'Log out')}
                  </Button>
                </>
              )}
            </Space>
          </Layout.Header>
          <Layout.Content style={{ padding: 24 }}>
            {user === null && <Login lang={lang} onLogin={setUser} />}
            {user && page === 'overview' && <OverviewPage lang={lang} />}
            {user && page === 'exceptions' && <ExceptionsPage lang={lang} operator={operator} />}
            {user && page === 'flows' && <FlowsPage lang={lang} operator={operator} />}
            {user && page === 'master-data' && <MasterDataPage lang={lang} operator={operator} />}
            {user && page === 'reconcile' && <ReconcilePage lang={lang} operator={operator} />}
            {user && page === 'audit' && <AuditPage lang={lang} />}
          </Layout.Content>
        </Layout>
      </AntApp>
    </ConfigProvider>
  );
}
