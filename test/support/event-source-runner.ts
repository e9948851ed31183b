import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsHandler = (
  event: SQSEvent,
  context: Context,
) => Promise<SQSBatchResponse | undefined | unknown>;

export interface EventSourceMapping {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  /** The function's timeout, which its context reports as remaining time. */
  functionTimeoutMs: number;
}

export interface PollResult {
  received: number;
  failed: number;
  /** The handler threw (or was killed): every message of the batch stays on the queue. */
  crashed: boolean;
}

/**
 * Polls a queue the way Lambda's SQS event source mapping does: receives up to a batch, invokes
 * the handler with the real event shape, deletes the messages that succeeded and leaves the
 * reported failures (or the whole batch, when the invocation fails) to reappear after the
 * queue's visibility timeout; the queue's redrive policy moves them to the dead-letter queue.
 */
export class EventSourceRunner {
  constructor(private readonly mapping: EventSourceMapping) {}

  async pollOnce(invoke: (event: SQSEvent, context: Context) => Promise<unknown>): Promise<PollResult> {
    const { sqs, queueUrl, batchSize } = this.mapping;
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: batchSize,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return { received: 0, failed: 0, crashed: false };
    const event: SQSEvent = { Records: Messages.map((m) => this.record(m)) };
    let failures: Set<string>;
    try {
      const response = (await invoke(event, this.context())) as SQSBatchResponse | undefined;
      failures = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      return { received: Messages.length, failed: Messages.length, crashed: true };
    }
    const done = Messages.filter((m) => !failures.has(m.MessageId!));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    return { received: Messages.length, failed: failures.size, crashed: false };
  }

  /** Polls until a poll receives nothing. */
  async drain(invoke: (event: SQSEvent, context: Context) => Promise<unknown>): Promise<PollResult[]> {
    const results: PollResult[] = [];
    for (;;) {
      const result = await this.pollOnce(invoke);
      if (result.received === 0) return results;
      results.push(result);
    }
  }

  private record(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        ...(attributes.MessageGroupId && { MessageGroupId: attributes.MessageGroupId }),
        ...(attributes.MessageDeduplicationId && {
          MessageDeduplicationId: attributes.MessageDeduplicationId,
        }),
        ...(attributes.SequenceNumber && { SequenceNumber: attributes.SequenceNumber }),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.mapping.queueArn,
      awsRegion: this.mapping.region,
    };
  }

  private context(): Context {
    return invocationContext(
      this.mapping.functionTimeoutMs,
      `consumer-of-${this.mapping.queueArn.split(':').pop()}`,
    );
  }
}

/** A Lambda context for a direct or scheduled invocation. */
export function invocationContext(timeoutMs: number, name = 'sluice-extract'): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
