import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Item } from './db.js';
import { STORAGE_ATTRIBUTES } from './write-context.js';

/** A stream record with its images as plain objects. */
export interface ChangeRecord {
  eventId: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  sequenceNumber: string;
  newImage?: Item;
  oldImage?: Item;
  /** Set when DynamoDB itself removed the item (TTL). */
  byService: boolean;
}

export function toChangeRecord(record: DynamoDBRecord): ChangeRecord {
  const image = (img: unknown) => (img ? unmarshall(img as Record<string, AttributeValue>) : undefined);
  const newImage = image(record.dynamodb?.NewImage);
  const oldImage = image(record.dynamodb?.OldImage);
  return {
    eventId: record.eventID ?? '',
    eventName: record.eventName ?? 'MODIFY',
    sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
    ...(newImage ? { newImage } : {}),
    ...(oldImage ? { oldImage } : {}),
    // @types/aws-lambda types userIdentity as `any`; a stream record's is { type, principalId }.
    byService: (record.userIdentity as { type?: string } | undefined)?.type === 'Service',
  };
}

/** Domain fields whose value differs between two images (names only, never values). */
export function changedFields(oldImage: Item | undefined, newImage: Item | undefined): string[] {
  const names = new Set([...Object.keys(oldImage ?? {}), ...Object.keys(newImage ?? {})]);
  return [...names]
    .filter((n) => !STORAGE_ATTRIBUTES.has(n))
    .filter((n) => JSON.stringify(oldImage?.[n]) !== JSON.stringify(newImage?.[n]))
    .sort();
}
