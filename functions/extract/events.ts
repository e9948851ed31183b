import { z } from 'zod';

/** One record of an S3 event notification (only the fields the extract stage reads). */
const s3Record = z.object({
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({
      key: z.string(),
      size: z.number().int().nonnegative().optional(),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
    }),
  }),
});

/** The body S3 puts on the queue: event records, or the test event sent when notifications are set up. */
export const s3NotificationSchema = z.union([
  z.object({ Records: z.array(s3Record) }),
  z.object({ Event: z.literal('s3:TestEvent') }),
]);

export const sqsEventSchema = z.object({
  Records: z
    .array(z.object({ messageId: z.string(), body: z.string(), eventSource: z.literal('aws:sqs') }))
    .min(1),
});

/** EventBridge's scheduled event; the stack's rule puts the pipeline's name into `detail`. */
export const scheduledEventSchema = z.object({
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  time: z.string().datetime(),
  detail: z.object({ pipeline: z.string().min(1) }),
});

/** A direct invocation: items handed in, objects to take, or (neither) a pull. */
export const directInvocationSchema = z
  .object({
    pipeline: z.string().min(1),
    items: z.record(z.string(), z.array(z.unknown())).optional(),
    objects: z.array(z.object({ bucket: z.string().min(1), key: z.string().min(1) })).optional(),
  })
  .strict();

export type S3Notification = z.infer<typeof s3NotificationSchema>;
export type ScheduledEvent = z.infer<typeof scheduledEventSchema>;
export type DirectInvocation = z.infer<typeof directInvocationSchema>;

/** S3 URL-encodes keys in notifications, with `+` for spaces. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}
