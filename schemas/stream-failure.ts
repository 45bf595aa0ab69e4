import * as z from 'zod/mini';
import './zod-locale.js';

/**
 * What a DynamoDB stream event source mapping sends to its on-failure destination when a batch
 * exhausts its retries: the batch's position, never its records (Lambda's "on-failure destination"
 * record for stream sources). The local stream poller writes the same shape to its failures queue,
 * so one redrive reads both. Unknown fields are kept out of the type but allowed.
 */
export const StreamBatchInfo = z.object({
  shardId: z.string().check(z.minLength(1)),
  startSequenceNumber: z.string().check(z.regex(/^\d+$/)),
  endSequenceNumber: z.string().check(z.regex(/^\d+$/)),
  approximateArrivalOfFirstRecord: z.optional(z.string()),
  approximateArrivalOfLastRecord: z.optional(z.string()),
  batchSize: z.optional(z.number()),
  streamArn: z.string().check(z.minLength(1)),
});
export type StreamBatchInfo = z.infer<typeof StreamBatchInfo>;

export const StreamFailureMessage = z.object({
  requestContext: z.optional(
    z.object({
      requestId: z.optional(z.string()),
      functionArn: z.optional(z.string()),
      condition: z.optional(z.string()),
      approximateInvokeCount: z.optional(z.number()),
    }),
  ),
  responseContext: z.optional(z.object({ statusCode: z.optional(z.number()), functionError: z.optional(z.string()) })),
  version: z.optional(z.string()),
  timestamp: z.optional(z.string()),
  DDBStreamBatchInfo: StreamBatchInfo,
});
export type StreamFailureMessage = z.infer<typeof StreamFailureMessage>;
