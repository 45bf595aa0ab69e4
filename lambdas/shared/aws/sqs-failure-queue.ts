import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FailureQueue, QueuedFailure } from '../streams/redrive.js';

/**
 * A stream consumer's on-failure SQS queue as the redrive's port. A received message stays
 * invisible for `visibilityTimeoutSeconds`; one the redrive keeps (unreadable, failed again)
 * comes back after it, for the next run.
 */
export class SqsFailureQueue implements FailureQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly visibilityTimeoutSeconds = 300,
  ) {}

  async receive(max: number): Promise<readonly QueuedFailure[]> {
    const out = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: Math.min(Math.max(max, 1), 10),
        VisibilityTimeout: this.visibilityTimeoutSeconds,
        // Short wait: the queue is drained once, not watched.
        WaitTimeSeconds: 1,
      }),
    );
    return (out.Messages ?? []).flatMap((m) => (m.MessageId && m.ReceiptHandle && m.Body !== undefined ? [{ id: m.MessageId, receipt: m.ReceiptHandle, body: m.Body }] : []));
  }

  async delete(receipt: string): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receipt }));
  }
}
