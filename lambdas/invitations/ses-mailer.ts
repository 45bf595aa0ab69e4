import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { invitationText, type InvitationEmail, type InvitationMailer } from './mailer.js';

/**
 * The invitation email on AWS: SES v2, plain text, from the operator's verified sender (the same
 * `delivery.emailFrom` the delivery function uses). Without a sender the API still answers the code,
 * and staff pass it on.
 */
export class SesInvitationMailer implements InvitationMailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly from: string,
  ) {}

  async send(email: InvitationEmail): Promise<void> {
    const { subject, text } = invitationText(email);
    await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: [email.to] },
        Content: { Simple: { Subject: { Data: subject, Charset: 'UTF-8' }, Body: { Text: { Data: text, Charset: 'UTF-8' } } } },
      }),
    );
  }
}
