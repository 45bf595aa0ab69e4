// A minimal AppSync realtime client: `graphql-ws` subprotocol, the auth header base64-encoded in
// the query string, connection_init -> connection_ack, start -> start_ack -> data ..., ka, stop.
import { fillUsers, loadConfig, signIn } from './sign-in.js';

const $ = (id) => document.getElementById(id);
const FIELDS = 'id orgId type entityType entityId patientId recipientId at data';
const QUERIES = {
  onPatientEvent: `subscription ($patientId: ID!) {\n  onPatientEvent(patientId: $patientId) { ${FIELDS} }\n}`,
  onMyEvent: `subscription {\n  onMyEvent { ${FIELDS} }\n}`,
};
const b64 = (obj) => btoa(JSON.stringify(obj));
let ws;
let auth;
const active = new Set();

function log(kind, text) {
  const line = document.createElement('div');
  line.className = kind;
  line.textContent = `${new Date().toISOString().slice(11, 23)} ${kind === 'out' ? '>' : kind === 'in' ? '<' : '!'} ${text}`;
  $('log').prepend(line);
}
const setStatus = (text) => ($('status').textContent = text);

const config = await loadConfig();
fillUsers($('demo-user'), config);
for (const p of config.patients) {
  const option = document.createElement('option');
  option.value = p.patientId;
  option.textContent = `${p.displayName} (${p.orgId})`;
  $('patient').append(option);
}
const showQuery = () => {
  $('query').value = QUERIES[$('subscription').value];
  $('patient').disabled = $('subscription').value !== 'onPatientEvent';
};
$('subscription').addEventListener('change', showQuery);
showQuery();

function send(message) {
  // The token is long and belongs to nobody's screen: shown shortened.
  log('out', JSON.stringify(message).replace(/("Authorization\\?":\\?")([^"\\]{12})[^"\\]*/g, '$1$2…'));
  ws.send(JSON.stringify(message));
}

$('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (ws) ws.close();
  active.clear();
  try {
    const { token, user } = await signIn(config, $('demo-user').value);
    // The plain endpoint: a browser refuses the self-signed wss:// one until the certificate is trusted.
    const url = new URL(config.outputs.PlainRealtimeUrl ?? config.outputs.RealtimeUrl);
    auth = { Authorization: token, host: url.host };
    url.searchParams.set('header', b64(auth));
    url.searchParams.set('payload', b64({}));
    setStatus(`Connecting as ${user.email}…`);
    ws = new WebSocket(url, ['graphql-ws']);
    ws.addEventListener('open', () => send({ type: 'connection_init' }));
    ws.addEventListener('message', (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'ka') return; // keep-alive: not worth a line
      log(m.type === 'error' || m.type === 'connection_error' ? 'err' : 'in', JSON.stringify(m));
      if (m.type === 'connection_ack') {
        setStatus(`Connected as ${user.email} (${user.role}).`);
        $('start-button').disabled = false;
      }
      if (m.type === 'start_ack') setStatus(`Subscribed (${active.size} active).`);
      if (m.type === 'complete' || m.type === 'error') active.delete(m.id);
    });
    ws.addEventListener('close', (e) => {
      setStatus(`Disconnected (${e.code}${e.reason ? `: ${e.reason}` : ''}).`);
      $('start-button').disabled = true;
      $('stop-button').disabled = true;
    });
  } catch (err) {
    setStatus(`Sign-in failed: ${err.message}`);
  }
});

$('start-button').addEventListener('click', () => {
  const id = crypto.randomUUID();
  const variables = $('subscription').value === 'onPatientEvent' ? { patientId: $('patient').value } : {};
  active.add(id);
  send({ id, type: 'start', payload: { data: JSON.stringify({ query: $('query').value, variables }), extensions: { authorization: auth } } });
  $('stop-button').disabled = false;
});

$('stop-button').addEventListener('click', () => {
  for (const id of active) send({ id, type: 'stop' });
  active.clear();
});
