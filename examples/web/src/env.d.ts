/** The stack's outputs, put here by vite.config.ts: `.carestack/outputs.json` locally, the `cdk deploy` outputs on AWS. */
declare const __CARESTACK_OUTPUTS__: {
  ApiUrl: string;
  GraphqlUrl: string;
  RealtimeUrl: string;
  UserPoolId: string;
  UserPoolClientId: string;
  Region: string;
  /** Local only: where the local user pool answers Cognito's API (leave it out on AWS). */
  CognitoEndpoint?: string;
};
