/**
 * `npm start`: the local stack in the foreground. Ctrl-C, or SIGINT or SIGTERM sent to the `npm start`
 * process, stops every part (the script `exec`s node, so npm's forwarded signal reaches this process
 * rather than a shell that would ignore it).
 *   --in-memory     keep nothing between runs
 *   --data-dir DIR  state folder (default .carestack)
 *   --no-tls        do not serve GraphQL/realtime over TLS (self-signed, .carestack/tls/)
 */
import path from 'node:path';
import { startLocalStack } from './stack.js';
import { trustHint } from './tls.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

async function main(): Promise<void> {
  const dataDir = path.resolve(value('--data-dir') ?? '.carestack');
  const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  console.log('CareStack local stack starting...');
  const stack = await startLocalStack({
    dataDir,
    inMemory: flag('--in-memory'),
    tls: !flag('--no-tls'),
    ports: {
      api: port('CARESTACK_API_PORT', 3000),
      cognito: port('CARESTACK_COGNITO_PORT', 9229),
      graphql: port('CARESTACK_GRAPHQL_PORT', 4000),
      dynamodb: port('CARESTACK_DYNAMODB_PORT', 8000),
      graphqlTls: port('CARESTACK_GRAPHQL_TLS_PORT', 4443),
    },
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack...`);
    stack.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const o = stack.outputs;
  const lines = [
    '',
    'CareStack is running locally.',
    `  REST API        ${o.ApiUrl}            (GET ${o.ApiUrl}/health)`,
    `  API playground  ${o.ApiUrl}/docs       (Swagger UI; realtime: ${o.ApiUrl}/docs/realtime)`,
    `  Web quickstart  npm run web            (examples/web, in another terminal: sign in, report an incident, watch it live)`,
    `  GraphQL         ${o.GraphqlUrl}${o.PlainGraphqlUrl !== o.GraphqlUrl ? `   (plain: ${o.PlainGraphqlUrl})` : ''}`,
    `  Realtime        ${o.RealtimeUrl}${o.PlainRealtimeUrl !== o.RealtimeUrl ? `   (plain: ${o.PlainRealtimeUrl})` : ''}`,
    `  Cognito         ${o.CognitoEndpoint}   pool ${o.UserPoolId}, client ${o.UserPoolClientId}`,
    `  Audit trail     npm run audit -- "SELECT \\"at\\", actor_id, action, entity_type FROM audit_events WHERE org = '${stack.demoUsers?.orgId ?? '<orgId>'}' ORDER BY \\"at\\" DESC LIMIT 20"`,
    `                  (as a compliance officer: npm run audit -- --as <email> "<SQL naming the officer's org>")`,
    `  Node            ${process.version} (${process.execPath})`,
    `  State           ${stack.dataDir}${flag('--in-memory') ? ' (in memory: nothing is kept)' : ''}`,
    `  Outputs         ${path.join(stack.dataDir, 'outputs.json')}`,
    ...(stack.certificatePath ? trustHint(stack.certificatePath) : []),
  ];
  if (stack.demoUsers) {
    lines.push(`  Demo logins     ${path.join(stack.dataDir, 'demo-users.json')}`);
    for (const org of [stack.demoUsers, stack.demoUsers.otherOrg]) {
      lines.push(`    ${org.name} (${org.orgId})`);
      for (const u of org.users) lines.push(`      ${u.role.padEnd(12)} ${u.email.padEnd(28)} ${u.password}`);
    }
  }
  lines.push('', 'Ctrl-C stops everything.');
  console.log(lines.join('\n'));
}

main().catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException & { port?: number };
  const reason =
    e?.code === 'EADDRINUSE'
      ? `port ${e.port ?? ''} is in use. Stop whatever listens there, or choose other ports with CARESTACK_API_PORT, CARESTACK_COGNITO_PORT, CARESTACK_GRAPHQL_PORT, CARESTACK_GRAPHQL_TLS_PORT, CARESTACK_DYNAMODB_PORT.`
      : err instanceof Error
        ? err.message
        : String(err);
  console.error(`\nThe local stack could not start: ${reason}`);
  process.exit(1);
});
