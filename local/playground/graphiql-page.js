// GraphiQL (npm package `graphiql`, served from node_modules with React's UMD builds; no CDN) on
// the local GraphqlUrl. The demo sign-in is the Swagger page's; the ID token goes in the
// Authorization header as AppSync's user-pool auth takes it. GraphiQL loads the schema by
// introspection once signed in (the local endpoint has it on; the prod stage's AppSync has it off).
import { fillUsers, loadConfig, signIn } from './sign-in.js';

const $ = (id) => document.getElementById(id);
const status = (text, error = false) => {
  $('sign-in-status').textContent = text;
  $('sign-in-status').className = error ? 'error' : '';
};

const config = await loadConfig().catch((err) => {
  status(`Could not load the demo users: ${err.message}`, true);
  throw err;
});
fillUsers($('demo-user'), config);

const firstPatient = config.patients[0]?.patientId ?? '';
const DEFAULT_QUERY = `# Every REST route is a field here: GET routes under Query, the others under Mutation.
query Patients {
  listPatients(limit: 10) {
    items { id displayName room isActive }
    nextCursor
  }
}

query Dashboard($patientId: ID!) {
  getPatientDashboard(patientId: $patientId) {
    incidentCount
    openIncidentCount
    statusOverview { open investigating resolved }
  }
}
`;

const root = window.ReactDOM.createRoot($('graphiql'));
let token = '';
const fetcher = async (params) => {
  const res = await fetch(config.outputs.GraphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify(params),
  });
  return res.json();
};

$('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  status('Signing in…');
  try {
    const signed = await signIn(config, $('demo-user').value);
    token = signed.token;
    // A new key: GraphiQL fetches the schema again with this user's token.
    root.render(
      window.React.createElement(window.GraphiQL, {
        key: signed.user.email,
        fetcher,
        defaultQuery: DEFAULT_QUERY,
        variables: JSON.stringify({ patientId: firstPatient }, null, 2),
        defaultEditorToolsVisibility: true,
      }),
    );
    status(`Signed in as ${signed.user.email} (${signed.user.role}, ${signed.user.orgId}).`);
  } catch (err) {
    status(`Sign-in failed: ${err.message}`, true);
  }
});
