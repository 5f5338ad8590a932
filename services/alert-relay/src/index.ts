export { RelayConfigSchema, parseRelayConfig, loadRelayConfig, type RelayConfig, type RelayConfigInput } from './config';
export { renderNotification, consoleLink, withLinkWithin, WebhookPayloadSchema, type WebhookPayload, type RenderedMessage } from './render';
export { dingTalkSign, RobotError, WECOM_MARKDOWN_MAX_BYTES } from './robots';
export { AlertRelay, type Delivery } from './relay';
export { startAlertRelay, type RunningAlertRelay } from './service';
