// Signs a demo user in through the local Cognito endpoint (InitiateAuth, USER_PASSWORD_AUTH), the
// way an app does on AWS; the answer's ID token is what the REST API and the realtime API take.
export async function loadConfig() {
  const res = await fetch('/docs/config.json');
  if (!res.ok) throw new Error(`config: HTTP ${res.status}`);
  return res.json();
}

/** Fills a <select> with the demo users, grouped by org; the first org's coordinator first. */
export function fillUsers(select, config) {
  select.textContent = '';
  const byOrg = new Map();
  for (const u of config.users) {
    if (!byOrg.has(u.orgId)) byOrg.set(u.orgId, []);
    byOrg.get(u.orgId).push(u);
  }
  for (const [orgId, users] of byOrg) {
    const group = document.createElement('optgroup');
    group.label = orgId;
    for (const u of users) {
      const option = document.createElement('option');
      option.value = u.email;
      option.textContent = `${u.role} (${u.email})`;
      group.append(option);
    }
    select.append(group);
  }
  const preferred = config.users.find((u) => u.role === 'coordinator');
  if (preferred) select.value = preferred.email;
}

export async function signIn(config, email) {
  const user = config.users.find((u) => u.email === email);
  if (!user) throw new Error(`no demo user ${email}`);
  const res = await fetch(config.outputs.CognitoEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
    },
    body: JSON.stringify({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: config.outputs.UserPoolClientId,
      AuthParameters: { USERNAME: user.email, PASSWORD: user.password },
    }),
  });
  const body = await res.json();
  const token = body.AuthenticationResult && body.AuthenticationResult.IdToken;
  if (!res.ok || !token) throw new Error(body.message || body.__type || `sign-in failed (HTTP ${res.status})`);
  return { token, user };
}
