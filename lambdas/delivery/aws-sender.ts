import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { CreatePlatformEndpointCommand, DeleteEndpointCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { OffAppMessage } from './messages.js';
import { InvalidDestinationError, type PushTarget, type Sender, type SendResult } from './sender.js';

export interface AwsSenderConfig {
  /** SNS platform applications (the operator's APNs / FCM credentials). A missing one: that platform is off. */
  platformApplications: { apns?: string; fcm?: string };
  /** SES sender, e.g. `CareStack <no-reply@example.org>`. Missing: email is off. */
  emailFrom?: string;
  /** SMS is off when false (an account without SMS set up). */
  sms: boolean;
}

/** SNS says this endpoint (or token) is dead: drop the device. */
const DEAD_ENDPOINT = new Set(['EndpointDisabledException', 'InvalidParameterException', 'InvalidParameterValueException']);
/** The number or address itself is refused: do not try again. */
const REFUSED = new Set(['InvalidParameterException', 'InvalidParameterValueException', 'MessageRejected', 'BadRequestException']);

/**
 * The channels on AWS: SNS mobile push (a platform endpoint per device, created on its first push
 * and remembered), SNS SMS (transactional), SES v2 email (plain text). Clients come in from the
 * handler (module scope); the SDK's own retries with backoff cover throttling and 5xx.
 */
export class AwsSender implements Sender {
  readonly available: Sender['available'];

  constructor(
    private readonly sns: SNSClient,
    private readonly ses: SESv2Client,
    private readonly config: AwsSenderConfig,
  ) {
    this.available = {
      email: !!config.emailFrom,
      sms: config.sms,
      push: { apns: !!config.platformApplications.apns, fcm: !!config.platformApplications.fcm },
    };
  }

  async email(to: string, message: OffAppMessage): Promise<SendResult> {
    try {
      const out = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: this.config.emailFrom,
          Destination: { ToAddresses: [to] },
          Content: { Simple: { Subject: { Data: message.subject, Charset: 'UTF-8' }, Body: { Text: { Data: message.text, Charset: 'UTF-8' } } } },
        }),
      );
      return { messageId: out.MessageId ?? '' };
    } catch (err) {
      throw refused(err);
    }
  }

  async sms(to: string, message: OffAppMessage): Promise<SendResult> {
    try {
      const out = await this.sns.send(
        new PublishCommand({
          PhoneNumber: to,
          Message: message.text,
          MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
        }),
      );
      return { messageId: out.MessageId ?? '' };
    } catch (err) {
      throw refused(err);
    }
  }

  async push(target: PushTarget, message: OffAppMessage, notificationId: string): Promise<SendResult> {
    const app = this.config.platformApplications[target.platform];
    if (!app) throw new InvalidDestinationError(`No platform application for ${target.platform}`);
    let endpointArn = target.endpointArn;
    let created: string | undefined;
    if (!endpointArn) {
      try {
        // Idempotent for the same token and attributes: a retry gets the same endpoint back.
        const out = await this.sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: app, Token: target.token, CustomUserData: target.deviceId }));
        endpointArn = created = out.EndpointArn!;
      } catch (err) {
        if (err instanceof Error && DEAD_ENDPOINT.has(err.name)) throw new InvalidDestinationError(`Token refused: ${err.name}`);
        throw err;
      }
    }
    const data = { notificationId, link: message.link };
    const apns = JSON.stringify({ aps: { alert: { title: 'CareStack', body: message.line } }, ...data });
    try {
      const out = await this.sns.send(
        new PublishCommand({
          TargetArn: endpointArn,
          MessageStructure: 'json',
          Message: JSON.stringify({
            default: message.line,
            APNS: apns,
            APNS_SANDBOX: apns,
            GCM: JSON.stringify({ notification: { title: 'CareStack', body: message.line }, data }),
          }),
        }),
      );
      return { messageId: out.MessageId ?? '', ...(created ? { endpointArn: created } : {}) };
    } catch (err) {
      if (err instanceof Error && DEAD_ENDPOINT.has(err.name)) throw new InvalidDestinationError(`Endpoint refused: ${err.name}`, endpointArn);
      throw err;
    }
  }

  async removeEndpoint(endpointArn: string): Promise<void> {
    // DeleteEndpoint is idempotent: a missing endpoint is fine.
    await this.sns.send(new DeleteEndpointCommand({ EndpointArn: endpointArn }));
  }
}

const refused = (err: unknown) => (err instanceof Error && REFUSED.has(err.name) ? new InvalidDestinationError(`Refused: ${err.name}`) : err);
