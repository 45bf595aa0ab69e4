import { ArnFormat, Duration, NestedStack, Names, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { ApiFunctionId } from '../../lambdas/functions.js';
import type { RouteDef } from '../../lambdas/routes.js';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_EXPOSE_HEADERS } from '../../lambdas/shared/http/cors.js';
import { ERROR_TYPE_HEADER } from '../../lambdas/shared/http/error-body.js';
import { AUTHORIZER_RESULTS_CACHE_SECONDS, STAGE_THROTTLING, type Stage } from '../config.js';
import { OperatorAlarms } from '../constructs/operator-alarms.js';
import { restApiName } from '../constructs/operations-dashboard.js';

export interface CareRestApiProps {
  readonly stage: Stage;
  /** The route table (lambdas/routes.ts): the only source of resources and methods. */
  readonly routes: readonly RouteDef[];
  /** One function per domain; every route's `fn` must be a key here. */
  readonly functions: Readonly<Record<ApiFunctionId, lambda.IFunction>>;
  readonly userPool: cognito.IUserPool;
  readonly corsAllowOrigins: readonly string[];
  /** Encrypts the access log group. */
  readonly logEncryptionKey: kms.IKey;
  /**
   * Steady-state requests per second for the whole stage.
   * @default 100
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst capacity for the whole stage.
   * @default 200
   */
  readonly throttlingBurstLimit?: number;
}

/** Gateway responses in the contract's error shape (API.md, "Conventions"). */
const GATEWAY_ERRORS: ReadonlyArray<{ id: string; type: apigw.ResponseType; status?: string; code: string; message: string }> = [
  // $context.error.messageString is already a quoted JSON string.
  { id: 'Default4xx', type: apigw.ResponseType.DEFAULT_4XX, code: 'bad_request', message: '$context.error.messageString' },
  { id: 'Default5xx', type: apigw.ResponseType.DEFAULT_5XX, status: '500', code: 'internal', message: '"Internal server error"' },
  { id: 'Unauthorized', type: apigw.ResponseType.UNAUTHORIZED, status: '401', code: 'unauthenticated', message: '"Missing or invalid token"' },
  { id: 'AccessDenied', type: apigw.ResponseType.ACCESS_DENIED, status: '403', code: 'forbidden', message: '"Access denied"' },
  { id: 'Throttled', type: apigw.ResponseType.THROTTLED, status: '429', code: 'rate_limited', message: '"Too many requests"' },
  { id: 'RequestTooLarge', type: apigw.ResponseType.REQUEST_TOO_LARGE, status: '413', code: 'payload_too_large', message: '"Request body too large"' },
  // An unknown path or method: API Gateway calls it a missing token (403); the contract says 404.
  { id: 'NotFound', type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, status: '404', code: 'not_found', message: '"Not found"' },
  { id: 'WafFiltered', type: apigw.ResponseType.WAF_FILTERED, status: '403', code: 'forbidden', message: '"Request blocked"' },
];

/**
 * The REST API, built by looping over the route table: one resource per path, one method per
 * route, one Lambda proxy integration and one invoke permission per domain function, and the
 * Cognito authorizer on every route with `auth: true`.
 */
export class CareRestApi extends Construct {
  readonly api: apigw.RestApi;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: CareRestApiProps) {
    super(scope, id);

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.stage === 'prod' ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.logEncryptionKey,
    });

    this.api = new apigw.RestApi(this, 'Api', {
      // A name per stage: the dashboard (built before this stack) finds the API's metrics by it.
      restApiName: restApiName(props.stage),
      description: 'CareStack REST API',
      // Execution logging (ERROR level) needs the account-level CloudWatch role.
      cloudWatchRole: true,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      defaultCorsPreflightOptions: {
        allowOrigins: [...props.corsAllowOrigins],
        allowHeaders: [...CORS_ALLOW_HEADERS],
        allowMethods: [...CORS_ALLOW_METHODS],
        exposeHeaders: [...CORS_EXPOSE_HEADERS],
      },
      deployOptions: {
        stageName: props.stage,
        tracingEnabled: true,
        metricsEnabled: true,
        // ERROR only, and never data traces: request and response bodies hold PHI.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttlingRateLimit ?? STAGE_THROTTLING.rateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit ?? STAGE_THROTTLING.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            extendedRequestId: '$context.extendedRequestId',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            requestTime: '$context.requestTime',
            httpMethod: '$context.httpMethod',
            resourcePath: '$context.resourcePath',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            integrationLatency: '$context.integrationLatency',
            user: '$context.authorizer.claims.sub',
            errorType: '$context.error.responseType',
            wafStatus: '$context.waf.status',
            xrayTraceId: '$context.xrayTraceId',
          }),
        ),
      },
    });
    OperatorAlarms.of(this).watchRestApi(this, this.api);
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level API Gateway logging role uses the AWS-managed push-to-CloudWatch policy, which AWS maintains for exactly this service role.',
    });

    const authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [props.userPool],
      identitySource: apigw.IdentitySource.header('Authorization'),
      resultsCacheTtl: Duration.seconds(AUTHORIZER_RESULTS_CACHE_SECONDS),
    });
    const validator = this.api.addRequestValidator('ParamsValidator', {
      // API Gateway checks that required path parameters are present. Bodies are validated by the
      // domain function's zod schemas (the one source of truth, API.md's 400 validation_failed
      // with details), not by API Gateway models.
      validateRequestParameters: true,
      validateRequestBody: false,
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Request parameters are validated here; bodies are validated strictly by the domain functions\' zod schemas so that the contract\'s validation_failed error names every bad field, which API Gateway model validation cannot produce.',
    });

    // An AwsIntegration is what LambdaIntegration builds minus its permissions: LambdaIntegration
    // adds two per method (stage and test-invoke-stage), which at ~95 routes would spend ~190 of
    // the stack's 500 resources. One permission per function, for this API's deployed stage only,
    // covers every route of the function; console test invocations are not allowed.
    const integrations = new Map<string, apigw.AwsIntegration>();
    const functions: Readonly<Record<string, lambda.IFunction | undefined>> = props.functions;
    const integrationFor = (fnId: string): apigw.AwsIntegration => {
      let integration = integrations.get(fnId);
      if (!integration) {
        const fn = functions[fnId];
        if (!fn) throw new Error(`Route table names function "${fnId}" but no such API function was given`);
        integration = new apigw.AwsIntegration({
          proxy: true,
          service: 'lambda',
          path: `2015-03-31/functions/${fn.functionArn}/invocations`,
        });
        fn.addPermission(`Invoke${fnId[0]!.toUpperCase()}${fnId.slice(1)}`, {
          scope: this,
          principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
          sourceArn: this.api.arnForExecuteApi('*', '/*', this.api.deploymentStage.stageName),
        });
        integrations.set(fnId, integration);
      }
      return integration;
    };

    // Each first path segment (`/patients`, `/providers`, ...) and everything under it is built in
    // a nested stack of its own: API Gateway resources, methods and CORS preflights grow with every
    // route (~2.4 CloudFormation resources a route), and in nested stacks they no longer count
    // against the API stack's 500 (each nested stack has its own budget; resource-budget.test.ts).
    // The resources are children of this API's root as before, so paths, CORS and the deployment
    // are what they were; only the templates they live in change.
    const branches = new Map<string, apigw.IResource>();
    const resourceFor = (path: string): apigw.IResource => {
      const [first, ...rest] = path.slice(1).split('/') as [string, ...string[]];
      let top = branches.get(first);
      if (!top) {
        const stack = new NestedStack(this, `Routes${pascalCase(first)}`, { description: `CareStack REST API: the routes under /${first}` });
        top = new apigw.Resource(stack, 'Resource', { parent: this.api.root, pathPart: first });
        branches.set(first, top);
      }
      return rest.length ? top.resourceForPath(rest.join('/')) : top;
    };

    for (const route of props.routes) {
      const resource = resourceFor(route.path);
      const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
      const method = resource.addMethod(route.method, integrationFor(route.fn), {
        operationName: `${route.method} ${route.path}`,
        requestValidator: validator,
        requestParameters: Object.fromEntries(pathParams.map((p) => [`method.request.path.${p}`, true])),
        ...(route.auth
          ? { authorizer, authorizationType: apigw.AuthorizationType.COGNITO }
          : { authorizationType: apigw.AuthorizationType.NONE }),
      });
      if (!route.auth) {
        const reason = `${route.method} ${route.path} is public by contract (liveness probe); it returns no data.`;
        Validations.of(method).acknowledge(
          { id: 'AwsSolutions-APIG4', reason },
          { id: 'AwsSolutions-COG4', reason },
        );
      }
    }

    // CDK adds an unauthenticated OPTIONS method to every resource for the CORS preflight.
    for (const method of this.api.methods.filter((m) => m.httpMethod === 'OPTIONS')) {
      const reason =
        'CORS preflight (OPTIONS) must answer without credentials: browsers never send Authorization on a preflight. It returns only CORS headers (mock integration).';
      Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason }, { id: 'AwsSolutions-COG4', reason });
    }

    // Gateway responses take static header values only, so the browser can read error bodies when
    // there is one allowed origin; with several, only the preflight names them.
    const corsOrigin: Record<string, string> =
      props.corsAllowOrigins.length === 1 ? { 'Access-Control-Allow-Origin': `'${props.corsAllowOrigins[0]}'` } : {};
    for (const e of GATEWAY_ERRORS) {
      this.api.addGatewayResponse(e.id, {
        type: e.type,
        statusCode: e.status,
        // The contract's shape with what AWS clients read (lambdas/shared/http/error-body.ts): the
        // code in x-amzn-ErrorType, the message also at the top level.
        responseHeaders: { 'x-request-id': 'context.requestId', [ERROR_TYPE_HEADER]: `'${e.code}'`, ...corsOrigin },
        templates: { 'application/json': `{"message":${e.message},"error":{"code":"${e.code}","message":${e.message}}}` },
      });
    }

    // AWS managed rules in front of the stage. The common rule set's 8 KB body limit would block
    // bodies the contract allows (up to 256 KB, enforced by the function with 413), so that one
    // rule only counts.
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'carestack-api', sampledRequestsEnabled: false },
      rules: [
        {
          name: 'common',
          priority: 0,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesCommonRuleSet',
              ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
            },
          },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'common', sampledRequestsEnabled: false },
        },
        {
          name: 'known-bad-inputs',
          priority: 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'known-bad-inputs', sampledRequestsEnabled: false },
        },
      ],
    });
    // WAF logs must go to a log group whose name starts with aws-waf-logs-. The Authorization
    // header is redacted: it carries bearer tokens.
    const wafLogs = new logs.LogGroup(this, 'WafLogs', {
      logGroupName: `aws-waf-logs-carestack-${props.stage}-${Names.uniqueResourceName(this, { maxLength: 40 }).toLowerCase()}`,
      retention: props.stage === 'prod' ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.logEncryptionKey,
    });
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: webAcl.attrArn,
      // WAF wants the log group ARN without the trailing `:*` that logGroupArn carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: wafLogs.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: webAcl.attrArn,
    });

    Validations.of(this.api.deploymentStage).acknowledge(
      {
        id: 'HIPAA.Security-APIGWCacheEnabledAndEncrypted',
        reason: 'Caching is off on purpose: every response is per-caller and may hold PHI; a shared cache would risk serving it to another caller.',
      },
      {
        id: 'HIPAA.Security-APIGWSSLEnabled',
        reason: 'The only backends are Lambda proxy integrations invoked over AWS\'s signed internal path; there is no HTTP backend to present a client certificate to.',
      },
    );
  }
}

/** `respite-sessions` -> `RespiteSessions` (a construct id per first path segment). */
const pascalCase = (segment: string): string =>
  segment
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
