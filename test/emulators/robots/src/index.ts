export { startRobotsEmulator, ROBOT_MESSAGES_PER_MINUTE, WECOM_MARKDOWN_MAX_BYTES, type RobotsEmulator, type RobotsEmulatorOptions, type ReceivedMessage } from './server';
export { expectedDingTalkSign, verifyDingTalkSign, DINGTALK_TIMESTAMP_WINDOW_MS } from './signature';
