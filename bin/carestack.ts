#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addCareStack } from '../lib/carestack-app.js';
import { addNagChecks } from '../lib/nag.js';

const app = new App();
addCareStack(app, {
  account: process.env.CDK_DEFAULT_ACCOUNT,
  region: process.env.CDK_DEFAULT_REGION,
});
addNagChecks(app);
app.synth();
