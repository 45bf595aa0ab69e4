import { fillUsers, loadConfig, signIn } from './sign-in.js';

const $ = (id) => document.getElementById(id);
const status = (text, error = false) => {
  $('sign-in-status').textContent = text;
  $('sign-in-status').className = error ? 'error' : '';
};

// Swagger UI on the generated document; BaseLayout: no top bar with a URL box to wander off with.
const ui = window.SwaggerUIBundle({
  url: '/docs/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  layout: 'BaseLayout',
  displayRequestDuration: true,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  tryItOutEnabled: false,
});
window.ui = ui;

const config = await loadConfig().catch((err) => {
  status(`Could not load the demo users: ${err.message}`, true);
  throw err;
});
fillUsers($('demo-user'), config);

$('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  status('Signing in…');
  try {
    const { token, user } = await signIn(config, $('demo-user').value);
    // The security scheme of the document is `cognito` (HTTP bearer): this is Swagger UI's
    // Authorize with the token filled in.
    ui.preauthorizeApiKey('cognito', token);
    $('token').value = token;
    $('sign-out-button').hidden = false;
    status(`Authorised as ${user.email} (${user.role}, ${user.orgId}). Try it out on any route.`);
  } catch (err) {
    status(`Sign-in failed: ${err.message}`, true);
  }
});

$('sign-out-button').addEventListener('click', () => {
  ui.authActions.logout(['cognito']);
  $('token').value = '';
  $('sign-out-button').hidden = true;
  status('Signed out.');
});
