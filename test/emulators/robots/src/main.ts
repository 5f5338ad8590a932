/**
 * The robot emulators as a process (docker-compose, demos): `npx tsx test/emulators/robots/src/main.ts --port 8095
 * --dingtalk-token T --dingtalk-secret SEC… --wecom-key K`. DingTalk on /robot/send, WeCom on /cgi-bin/webhook/send,
 * what they received on GET /__admin/state.
 */
import { parseArgs } from 'node:util';
import { closeOnSignals, jsonFlag, nonNegativeIntegerFlag } from '@yecai/emulator-kit';
import { startRobotsEmulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8095' },
      host: { type: 'string', default: '127.0.0.1' },
      'dingtalk-token': { type: 'string', default: 'dev-dingtalk-token' },
      'dingtalk-secret': { type: 'string', default: 'SECdev-dingtalk-secret' },
      'wecom-key': { type: 'string', default: 'dev-wecom-key' },
      faults: { type: 'string', default: '{}' },
    },
  });
  const emulator = await startRobotsEmulator({
    port: nonNegativeIntegerFlag('port', values.port),
    host: values.host,
    dingtalk: [{ accessToken: values['dingtalk-token'], secret: values['dingtalk-secret'] }],
    wecom: [{ key: values['wecom-key'] }],
    faults: jsonFlag('faults', values.faults, {}),
  });
  closeOnSignals(emulator);
  process.stdout.write(`robot emulators on ${emulator.url}: DingTalk ${emulator.dingTalkUrl}, WeCom ${emulator.weComUrl}\n`);
}

void main();
