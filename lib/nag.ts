import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';

/**
 * Runs cdk-nag's AWS Solutions and HIPAA Security packs on every synth of the app. In cdk-nag 3
 * they are policy-validation plugins: an unacknowledged finding fails the synth with a report.
 * Acknowledgements (`Validations.of(construct).acknowledge`) sit on the construct they concern,
 * each with its reason; docs/infrastructure.md lists them.
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
}
