import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PackageMessage } from '../package/package-message.js';

/**
 * Hands a package on to the next stage. On a FIFO queue the packages of one dataset form one
 * message group, so they load in order, and the load id deduplicates a message sent twice.
 */
export class PackageQueue {
  readonly fifo: boolean;

  constructor(
    private readonly sqs: SQSClient,
    readonly url: string,
  ) {
    this.fifo = url.endsWith('.fifo');
  }

  async send(message: PackageMessage): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.url,
        MessageBody: JSON.stringify(message),
        ...(this.fifo && {
          MessageGroupId: message.dataset,
          MessageDeduplicationId: `${message.pipeline}.${message.loadId}`,
        }),
      }),
    );
  }
}
