import type { Json } from '../../support/json.js';

/**
 * CloudFormation as the tests read it from `Template.toJSON()`: a resource's type and options
 * are named; its properties are free-form template JSON, checked by each test's assertions.
 */
export interface CfnResource {
  Type: string;
  Properties: Record<string, Json>;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** One statement of an IAM policy document as synthesised (`Action` is one action or a list). */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: Json;
  Principal?: Json;
  Condition?: Json;
}

/** A `{ "Ref": logicalId }` as a property holds it (a policy's roles, a method's resource). */
export interface CfnRef {
  Ref?: string;
}
