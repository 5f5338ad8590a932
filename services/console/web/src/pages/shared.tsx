import { Input, Modal } from 'antd';
import { useState } from 'react';
import { pick, type Lang } from '../api';

/** Asks for the reason every operator action records (audit log); resolves with it, or null when cancelled. */
export function useReasonPrompt(lang: Lang) {
  const [state, setState] = useState<{ title: string; resolve: (reason: string | null) => void } | null>(null);
  const [reason, setReason] = useState('');
  const ask = (title: string) =>
    new Promise<string | null>((resolve) => {
      setReason('');
      setState({ title, resolve });
    });
  const close = (value: string | null) => {
    state?.resolve(value);
    setState(null);
  };
  const modal = (
    <Modal
      open={state !== null}
      title={state?.title}
      okText={pick(lang, '确定', 'OK')}
      cancelText={pick(lang, '取消', 'Cancel')}
      okButtonProps={{ disabled: reason.trim().length < 2, id: 'reason-ok' }}
      onOk={() => close(reason.trim())}
      onCancel={() => close(null)}
    >
      <Input.TextArea
        id="reason-input"
        rows={3}
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        placeholder={pick(lang, '原因（必填，记入审计日志）', 'Reason (required, kept in the audit log)')}
      />
    </Modal>
  );
  return { ask, modal };
}

export function Json({ value }: { value: unknown }) {
  return (
    <pre style={{ maxHeight: 320, overflow: 'auto', background: '#f6f6f6', padding: 8, fontSize: 12, margin: 0 }}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
