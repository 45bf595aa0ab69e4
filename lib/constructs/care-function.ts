import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTIONS, type FunctionId } from '../../lambdas/functions.js';
import { fromRoot, PROJECT_ROOT } from '../paths.js';
import { OperatorAlarms } from './operator-alarms.js';

/** The runtime of every function; its Node major is the bundle's esbuild target. */
export const CARE_FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * How every function is bundled (exported so the benchmark builds byte-identical bundles to
 * measure their size and cold start).
 */
/** The module that stands in for `@aws-sdk/credential-provider-node` in every bundle. */
const LAMBDA_CREDENTIALS = fromRoot('lambdas/shared/aws/lambda-credentials.ts');

export const CARE_FUNCTION_BUNDLING = {
  // Local esbuild from node_modules; never Docker (the build machines have none).
  forceDockerBundling: false,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  // Some bundled CommonJS dependencies call require(); give them one inside the ES module.
  banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
  // Bundle the AWS SDK v3 clients instead of using the copy in the runtime: the versions are
  // the ones pinned in package-lock.json (tested, not whatever the runtime ships this week),
  // and a minified, tree-shaken client loads faster on a cold start than the full runtime SDK.
  bundleAwsSDK: true,
  externalModules: [],
  // On Lambda the SDK's default credential chain always ends at its first link (the role's keys
  // in the environment); the rest of the chain is ~90 KB of STS/SSO clients loaded on every cold
  // start. Swap the chain for that one link (see lambdas/shared/aws/lambda-credentials.ts).
  esbuildArgs: { '--alias': `@aws-sdk/credential-provider-node=${LAMBDA_CREDENTIALS}` },
} as const satisfies BundlingOptions;

export interface CareFunctionProps {
  /** Which function of lambdas/functions.ts this is: gives the entry file and the description. */
  readonly functionId: FunctionId;
  /**
   * Extra environment variables (names from lambdas/shared/env.ts).
   * @default - only NODE_OPTIONS and POWERTOOLS_SERVICE_NAME
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Key that encrypts the function's log group (HIPAA: logs may name patients' ids).
   * @default - the log group uses CloudWatch's own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * For functions that AWS invokes asynchronously (EventBridge rules, EventBridge Scheduler): where
   * an event goes after Lambda's own retries, and how many there are.
   * @default - none: the function is invoked synchronously (API, Cognito trigger) or by a stream
   * event source mapping with its own on-failure destination
   */
  readonly asyncInvocation?: {
    readonly deadLetterQueue: sqs.IQueue;
    /** @default 2 */
    readonly retryAttempts?: number;
    /** @default Duration.hours(6) */
    readonly maxEventAge?: Duration;
  };
}

/**
 * The one way CareStack builds a Lambda function: Node.js 24 on arm64, bundled locally with esbuild,
 * X-Ray tracing, an explicit log group with retention, the Powertools service name, and alarms on
 * its errors and throttles to the operator topic (lib/constructs/operator-alarms.ts). Every
 * function of lambdas/functions.ts is an instance of this construct, so these choices live here once.
 */
export class CareFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: CareFunctionProps) {
    super(scope, id);
    const def = FUNCTIONS[props.functionId];
    if (!def) throw new Error(`Unknown function id ${JSON.stringify(props.functionId)}`);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logEncryptionKey,
    });

    // An explicit role instead of the default one with AWSLambdaBasicExecutionRole: it may write
    // only to this function's own log group (the group exists, so no logs:CreateLogGroup).
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `CareStack ${props.functionId} function`,
    });
    this.logGroup.grantWrite(role);

    this.function = new NodejsFunction(this, 'Function', {
      role,
      entry: fromRoot(def.entry),
      handler: 'handler',
      description: def.description,
      runtime: CARE_FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: fromRoot('package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: `carestack-${props.functionId}`,
        ...props.environment,
      },
      bundling: CARE_FUNCTION_BUNDLING,
      ...(props.asyncInvocation
        ? {
            deadLetterQueue: props.asyncInvocation.deadLetterQueue,
            retryAttempts: props.asyncInvocation.retryAttempts ?? 2,
            maxEventAge: props.asyncInvocation.maxEventAge ?? Duration.hours(6),
          }
        : {}),
    });

    OperatorAlarms.of(this).watchFunction(this, props.functionId, this.function);

    Validations.of(this).acknowledge(
      {
        id: 'HIPAA.Security-LambdaInsideVPC',
        reason:
          'The function reaches only AWS service endpoints (DynamoDB, S3, EventBridge, Cognito) over TLS with IAM auth; a VPC adds NAT/endpoint cost and cold-start latency without protecting any private resource.',
      },
      {
        id: 'HIPAA.Security-LambdaConcurrency',
        reason:
          'No reserved concurrency: API traffic is bounded by API Gateway stage throttling and stream functions by shard count; reserving capacity would fail deployment in accounts with the default low concurrency quota.',
      },
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason:
          'The execution role\'s policy is the one CDK generates from grant calls: scoped to this single role and its resources, created and deleted with the function; a managed policy would add nothing but a shareable copy.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only CDK-generated statements for actions without resource-level permissions use Resource "*": X-Ray (xray:PutTraceSegments, PutTelemetryRecords) and, for stream consumers, dynamodb:ListStreams.',
      },
    );
    if (!props.asyncInvocation) {
      Validations.of(this).acknowledge({
        id: 'HIPAA.Security-LambdaDLQ',
        reason:
          'Never invoked asynchronously: API and Cognito-trigger calls are synchronous (the caller sees the error), and stream functions send failed batches to an on-failure SQS destination on their event source mapping.',
      });
    }
  }
}
