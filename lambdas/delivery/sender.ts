import type { OffAppMessage } from './messages.js';

/** A push destination as the sender needs it. */
export interface PushTarget {
  deviceId: string;
  platform: 'apns' | 'fcm';
  token: string;
  /** Known once the first push created it (SNS platform endpoint). */
  endpointArn?: string;
}

export interface SendResult {
  messageId: string;
  /** A platform endpoint created by this send, for the device to remember. */
  endpointArn?: string;
}

/**
 * The channels off the app. On AWS: SNS mobile push, SNS SMS, SES email (`aws-sender.ts`); locally:
 * the outbox under `.carestack/` (`local/outbox.ts`). The message is already free of clinical detail.
 */
export interface Sender {
  /** Which channels (and push platforms) this deployment can reach; the others are skipped. */
  readonly available: { email: boolean; sms: boolean; push: { apns: boolean; fcm: boolean } };
  email(to: string, message: OffAppMessage, notificationId: string): Promise<SendResult>;
  sms(to: string, message: OffAppMessage, notificationId: string): Promise<SendResult>;
  push(target: PushTarget, message: OffAppMessage, notificationId: string): Promise<SendResult>;
  /** Forgets a push endpoint that no longer works. Missing is fine. */
  removeEndpoint(endpointArn: string): Promise<void>;
}

/**
 * The destination itself is bad (SNS: endpoint disabled or invalid; a rejected address): retrying
 * cannot help. A push device that fails this way is removed.
 */
export class InvalidDestinationError extends Error {
  constructor(
    message: string,
    /** The endpoint that failed, if one exists (to delete it). */
    readonly endpointArn?: string,
  ) {
    super(message);
    this.name = 'InvalidDestinationError';
  }
}
