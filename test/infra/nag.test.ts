import { describe, expect, it } from 'vitest';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { addCareStack } from '../../lib/carestack-app.js';
import { addNagChecks } from '../../lib/nag.js';
import { cdkContext } from './support/build-app.js';

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/**
 * Every nag (and annotation) acknowledgement in the tree, read back from construct metadata.
 * CDK's own constructs acknowledge a few CloudFormation-lint rules (e.g. W3045) themselves;
 * those are not ours and are left out.
 */
function acknowledgements(root: IConstruct): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [qualified, reason] of Object.entries(entry.data as Record<string, string>)) {
        const id = qualified.replace(/^[^:]+::/, '');
        if (/^(AwsSolutions|HIPAA\.Security)-|^@aws-cdk\//.test(id)) out.push({ path: c.node.path, id, reason });
      }
    }
  }
  return out;
}

function build(stage: 'dev' | 'prod'): App {
  const app = new App({ context: cdkContext({ stage, 'aws:cdk:bundling-stacks': [] }) });
  addCareStack(app);
  return app;
}

// Each stage is built once; every test of this file reads the same trees.
const apps = { dev: build('dev'), prod: build('prod') };

describe.each(['dev', 'prod'] as const)('cdk-nag on %s', (stage) => {
  const app = apps[stage];

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['HIPAA.Security', () => new HIPAASecurityChecks()],
  ] as const)('%s reports no unacknowledged finding (errors or warnings)', (_name, pack) => {
    const report = pack().validateScope(app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}`),
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledgement names a rule and gives a real reason', () => {
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(a.id, a.path).toMatch(/^(AwsSolutions|HIPAA\.Security)-\w+(\[.+\])?$|^@aws-cdk\//);
      expect(a.reason.length, `${a.id} at ${a.path}: "${a.reason}"`).toBeGreaterThanOrEqual(50);
      expect(a.reason, `${a.id} at ${a.path}`).not.toMatch(/^(todo|n\/a|none|suppress(ed)?|ok|fine|not needed)\.?$/i);
    }
  });
});

describe('cdk-nag as the CLI runs it', () => {
  it('synthesises the app with both packs attached as validation plugins', () => {
    const app = build('prod');
    addNagChecks(app);
    expect(() => app.synth()).not.toThrow();
  });

  it('fails the synth when a finding is not acknowledged', async () => {
    const app = build('dev');
    // An unencrypted, unlogged bucket: several AwsSolutions and HIPAA findings, none acknowledged.
    const { Stack } = await import('aws-cdk-lib');
    const s3 = await import('aws-cdk-lib/aws-s3');
    new s3.Bucket(new Stack(app, 'Offender'), 'Bare');
    addNagChecks(app);
    expect(() => app.synth()).toThrow(/Offender\/Bare[\s\S]*AwsSolutions|AwsSolutions[\s\S]*Offender\/Bare/);
  });
});

describe('acknowledgement inventory', () => {
  // The distinct rules acknowledged anywhere (docs/infrastructure.md explains each). A new
  // suppression must be added here on purpose, never slip in unnoticed.
  const EXPECTED_RULES = [
    'AwsSolutions-APIG2',
    'AwsSolutions-APIG4',
    'AwsSolutions-COG2',
    'AwsSolutions-COG4',
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    'AwsSolutions-IAM5[Resource::*]',
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/carestack-dev-schedules/*]',
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/carestack-dev-schedules/dlv-*]',
    'AwsSolutions-IAM5[Resource::carestack-dev-stateful-athena-results-bucket-arn/org=*/access-reports/*]',
    'AwsSolutions-IAM5[Resource::carestack-dev-stateful-athena-results-bucket-arn/org=<aws:PrincipalTag/orgId>/*]',
    'AwsSolutions-IAM5[Resource::carestack-dev-stateful-attachments-bucket-arn/files/*]',
    'AwsSolutions-IAM5[Resource::carestack-dev-stateful-attachments-bucket-arn/pending/*]',
    'AwsSolutions-IAM5[Resource::carestack-dev-stateful-audit-bucket-arn/audit/*]',
    'AwsSolutions-IAM5[Resource::carestack-dev-stateful-audit-bucket-arn/audit/org=<aws:PrincipalTag/orgId>/*]',
    'AwsSolutions-IAM5[Resource::carestack-dev-stateful-audit-journal-bucket-arn/audit-journal/*]',
    'AwsSolutions-S1',
    'AwsSolutions-SNS2',
    'AwsSolutions-SQS3',
    'HIPAA.Security-APIGWCacheEnabledAndEncrypted',
    'HIPAA.Security-APIGWSSLEnabled',
    'HIPAA.Security-DynamoDBInBackupPlan',
    'HIPAA.Security-IAMNoInlinePolicy',
    'HIPAA.Security-LambdaConcurrency',
    'HIPAA.Security-LambdaDLQ',
    'HIPAA.Security-LambdaInsideVPC',
    'HIPAA.Security-S3BucketLoggingEnabled',
    'HIPAA.Security-S3BucketReplicationEnabled',
    'HIPAA.Security-S3DefaultEncryptionKMS',
    'HIPAA.Security-SNSEncryptedKMS',
  ];

  it('dev acknowledges exactly the documented rules', () => {
    const ids = new Set(acknowledgements(apps.dev).map((a) => a.id).filter((id) => !id.startsWith('@aws-cdk/')));
    expect([...ids].sort()).toEqual([...EXPECTED_RULES].sort());
  });

  it('prod does not waive MFA', () => {
    const ids = acknowledgements(apps.prod).map((a) => a.id);
    expect(ids).not.toContain('AwsSolutions-COG2');
  });
});
