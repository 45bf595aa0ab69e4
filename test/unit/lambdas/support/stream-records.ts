/**
 * DynamoDB stream records as Lambda receives them (NEW_AND_OLD_IMAGES, marshalled images).
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';

type Item = Record<string, unknown>;

export interface RecordSpec {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  seq: string;
  newImage?: Item;
  oldImage?: Item;
  /** DynamoDB's own delete (TTL). */
  byService?: boolean;
  eventId?: string;
}

const image = (item: Item) => marshall(item, { removeUndefinedValues: true }) as Record<string, LambdaAttributeValue>;

export function streamRecord(spec: RecordSpec): DynamoDBRecord {
  const keys = spec.newImage ?? spec.oldImage ?? {};
  return {
    eventID: spec.eventId ?? `evt-${spec.seq}`,
    eventName: spec.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      Keys: image({ PK: keys.PK, SK: keys.SK }),
      SequenceNumber: spec.seq,
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ...(spec.newImage ? { NewImage: image(spec.newImage) } : {}),
      ...(spec.oldImage ? { OldImage: image(spec.oldImage) } : {}),
    },
    ...(spec.byService ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
  };
}

/** A stored Patient item as the identity repository writes it. */
export function patientItem(overrides: Item = {}): Item {
  return {
    PK: 'ORG#org-1#PAT#p1',
    SK: 'PROFILE',
    GSI1PK: 'ORG#org-1#PATIENTS',
    GSI1SK: 'ada#p1',
    id: 'p1',
    patientId: 'p1',
    entityType: 'Patient',
    orgId: 'org-1',
    displayName: 'Ada',
    medicalRecordNumber: 'MRN-1',
    isActive: true,
    version: 1,
    createdAt: '2025-03-01T10:00:00.000Z',
    updatedAt: '2025-03-01T10:00:00.000Z',
    updatedBy: 'coord-1',
    updatedByRoles: ['coordinator'],
    requestId: 'req-1',
    source: 'api',
    ...overrides,
  };
}

export function memberItem(overrides: Item = {}): Item {
  return {
    PK: 'ORG#org-1#PAT#p1',
    SK: 'MEMBER#fam-1',
    GSI1PK: 'ORG#org-1#USER#fam-1',
    GSI1SK: 'PAT#p1',
    id: 'fam-1',
    userId: 'fam-1',
    patientId: 'p1',
    entityType: 'CareTeamMember',
    orgId: 'org-1',
    relationship: 'family',
    version: 1,
    createdAt: '2025-03-01T10:00:00.000Z',
    updatedAt: '2025-03-01T10:00:00.000Z',
    updatedBy: 'coord-1',
    updatedByRoles: ['coordinator'],
    requestId: 'req-1',
    source: 'api',
    ...overrides,
  };
}
