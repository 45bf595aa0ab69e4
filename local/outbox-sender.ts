/**
 * The delivery function's channels, locally: every push, SMS and email goes to the outbox instead
 * of SNS and SES, with the same text. All channels and both push platforms are available.
 */
import type { OffAppMessage } from '../lambdas/delivery/messages.js';
import type { PushTarget, Sender, SendResult } from '../lambdas/delivery/sender.js';
import type { Outbox } from './outbox.js';

export class OutboxSender implements Sender {
  readonly available = { email: true, sms: true, push: { apns: true, fcm: true } };

  constructor(private readonly outbox: Outbox) {}

  async email(to: string, m: OffAppMessage, notificationId: string): Promise<SendResult> {
    return { messageId: (await this.outbox.add({ channel: 'email', to, subject: m.subject, text: m.text, notificationId })).id };
  }

  async sms(to: string, m: OffAppMessage, notificationId: string): Promise<SendResult> {
    return { messageId: (await this.outbox.add({ channel: 'sms', to, text: m.text, notificationId })).id };
  }

  async push(target: PushTarget, m: OffAppMessage, notificationId: string): Promise<SendResult> {
    return { messageId: (await this.outbox.add({ channel: 'push', to: target.token, subject: m.subject, text: m.line, notificationId })).id };
  }

  async removeEndpoint(): Promise<void> {}
}
