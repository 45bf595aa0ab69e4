/**
 * The web quickstart: sign in (Amplify, SRP), list my patients (GraphQL), open a patient's
 * dashboard (REST) that follows the patient's events live (GraphQL subscription), and report an
 * incident (REST). Two addresses: `#/` lists my patients, `#/patients/<id>` is one patient.
 */
import './style.css';
import { listPatients, onPatientEvent, type IncidentCategory, type IncidentSeverity } from '@carestack/client/graphql';
import { getCurrentUser, signIn, signOut } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import { api, checkLocalCertificate, graphql } from './carestack';
import { describeError } from './errors';
import { h, show, when } from './ui';

const app = document.querySelector<HTMLElement>('#app')!;
const who = document.querySelector<HTMLElement>('#who')!;
/** Stops the open dashboard's subscription when the screen changes. */
let stopLive: (() => void) | undefined;

async function route(): Promise<void> {
  stopLive?.();
  stopLive = undefined;
  const signedIn = await getCurrentUser().then(() => true, () => false);
  if (!signedIn) return signInScreen();
  if (!who.hasChildNodes()) await Promise.all([showWho(), checkLocalCertificate()]);
  const patientId = /^#\/patients\/([^/]+)$/.exec(location.hash)?.[1];
  return patientId ? dashboardScreen(decodeURIComponent(patientId)) : patientsScreen();
}

function render(): void {
  route().catch((error: unknown) => show(app, h('p', { className: 'error', id: 'message' }, describeError(error))));
}
window.addEventListener('hashchange', render);
render();

/** Email and password, and the local stack's demo logins to pick from (served by the dev server only). */
async function signInScreen(): Promise<void> {
  who.replaceChildren();
  // Anything but the dev server's JSON (a static host's 404 or its index.html) means no demo logins.
  const demo = await fetch('/demo-users.json')
    .then((r) => (r.ok ? (r.json() as Promise<{ users: Array<{ email: string; password: string; role: string }> }>) : undefined))
    .catch(() => undefined);
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { id: 'message', className: 'error' });
  const picker = demo
    ? h('select', { id: 'demo-user' }, h('option', { value: '' }, 'Pick a demo user...'), ...demo.users.map((u) => h('option', { value: u.email }, `${u.role}: ${u.email}`)))
    : null;
  picker?.addEventListener('change', () => {
    email.value = picker.value;
    password.value = demo?.users.find((u) => u.email === picker.value)?.password ?? '';
  });
  const button = h('button', { type: 'submit', id: 'sign-in' }, 'Sign in');
  const form = h(
    'form',
    {},
    h('h1', {}, 'Sign in'),
    picker && h('label', {}, 'Demo user ', picker),
    h('label', {}, 'Email ', email),
    h('label', {}, 'Password ', password),
    button,
    message,
  );
  form.onsubmit = async (event) => {
    event.preventDefault();
    button.disabled = true;
    message.textContent = 'Signing in...';
    try {
      const { isSignedIn, nextStep } = await signIn({ username: email.value, password: password.value });
      if (!isSignedIn) throw new Error(`Cognito asks for another step, which this quickstart does not handle: ${nextStep.signInStep}`);
      location.hash = '#/';
      render();
    } catch (error) {
      message.textContent = describeError(error);
      button.disabled = false;
    }
  };
  show(app, form);
}

/** Who is signed in (REST `GET /me`), and a way out. */
async function showWho(): Promise<void> {
  const me = await api.getMe();
  const out = h('button', { id: 'sign-out', onclick: () => void signOut().then(() => ((location.hash = '#/'), render())) }, 'Sign out');
  show(who, h('span', { id: 'me' }, `${me.displayName} (${me.roles.join(', ')})`), out);
}

/** The patients I may see, through GraphQL with a typed document. */
async function patientsScreen(): Promise<void> {
  const { data } = await graphql.graphql({ query: listPatients, variables: { limit: 50 } });
  const patients = data.listPatients?.items ?? [];
  show(
    app,
    h('h1', {}, 'My patients'),
    patients.length === 0
      ? h('p', {}, 'There are no patients you may see.')
      : h(
          'ul',
          { id: 'patients' },
          ...patients.map((p) =>
            h('li', {}, h('a', { href: `#/patients/${encodeURIComponent(p.id)}` }, p.displayName), ` ${[p.facility, p.room && `room ${p.room}`].filter(Boolean).join(', ')}`),
          ),
        ),
  );
}

/** One patient: the dashboard and recent incidents (REST), a report form, and the live event feed. */
async function dashboardScreen(patientId: string): Promise<void> {
  const path = { patientId };
  const patient = await api.getPatient({ params: { path } });
  const counts = h('dl', { id: 'dashboard' });
  const incidents = h('ul', { id: 'incidents' });
  const status = h('p', { id: 'live-status' }, 'Live updates: connecting...');
  const feed = h('ol', { id: 'events', reversed: true });

  const refresh = async () => {
    const [dashboard, recent] = await Promise.all([
      api.getPatientDashboard({ params: { path } }),
      api.listPatientIncidents({ params: { path, query: { limit: 5 } } }),
    ]);
    const o = dashboard.statusOverview;
    const row = (term: string, value: string | number, id: string) => [h('dt', {}, term), h('dd', { id }, String(value))];
    counts.replaceChildren(
      ...row('Incidents', dashboard.incidentCount, 'incident-count'),
      ...row('Open', dashboard.openIncidentCount, 'open-count'),
      ...row('Investigating', o.investigating, 'investigating-count'),
      ...row('Resolved', o.resolved, 'resolved-count'),
      ...row('Last incident', when(dashboard.lastIncidentAt), 'last-incident'),
    );
    incidents.replaceChildren(
      ...recent.items.map((i) => h('li', {}, `${when(i.occurredAt)}: ${i.category}, ${i.severity}, ${i.status}. ${i.details}`)),
    );
  };

  show(
    app,
    h('p', {}, h('a', { href: '#/' }, 'My patients')),
    h('h1', {}, patient.displayName),
    h('p', { className: 'muted' }, [`MRN ${patient.medicalRecordNumber}`, patient.facility, patient.room && `room ${patient.room}`].filter(Boolean).join(' · ')),
    h('div', { className: 'columns' },
      h('section', {}, h('h2', {}, 'Dashboard'), counts, h('h2', {}, 'Recent incidents'), incidents),
      h('section', {}, h('h2', {}, 'Report an incident'), reportForm(patientId)),
      h('section', {}, h('h2', {}, 'Live'), status, feed),
    ),
  );
  await refresh();

  // Every event of this patient (whoever caused it) refreshes the dashboard: the report form
  // below does not, so the numbers on screen are the ones every viewer of the patient sees.
  // 'Subscription ack' is Amplify's Hub event for the server's start_ack: from then on nothing is missed.
  const stopAck = Hub.listen('api', ({ payload }) => {
    const variables = (payload.data as { variables?: { patientId?: string } } | undefined)?.variables;
    if (payload.event === 'Subscription ack' && variables?.patientId === patientId) status.textContent = 'Live updates: subscribed';
  });
  const subscription = graphql.graphql({ query: onPatientEvent, variables: { patientId } }).subscribe({
    next: ({ data }) => {
      const event = data.onPatientEvent;
      if (!event) return;
      feed.prepend(h('li', {}, `${when(event.at)} ${event.type} (${event.entityType} ${event.entityId})`));
      refresh().catch((error: unknown) => (status.textContent = describeError(error)));
    },
    error: (error: unknown) => (status.textContent = `Live updates stopped: ${describeError(error)}`),
  });
  stopLive = () => {
    subscription.unsubscribe();
    stopAck();
  };
}

const CATEGORIES = ['fall', 'medication_error', 'injury', 'elopement', 'behavior', 'abuse_suspected', 'other'] as const satisfies readonly IncidentCategory[];
const SEVERITIES = ['low', 'moderate', 'high', 'critical'] as const satisfies readonly IncidentSeverity[];

/** `POST /patients/{patientId}/incidents` through the client, which adds an Idempotency-Key. */
function reportForm(patientId: string): HTMLFormElement {
  const category = h('select', { id: 'category' }, ...CATEGORIES.map((c) => h('option', { value: c }, c.replace('_', ' '))));
  const severity = h('select', { id: 'severity' }, ...SEVERITIES.map((s) => h('option', { value: s }, s)));
  const details = h('textarea', { id: 'details', required: true, rows: 3, placeholder: 'What happened' });
  const occurredAt = h('input', { id: 'occurred-at', type: 'datetime-local', required: true, value: localNow() });
  const button = h('button', { type: 'submit', id: 'report' }, 'Report');
  const message = h('p', { id: 'report-message' });
  const form = h('form', {}, h('label', {}, 'Category ', category), h('label', {}, 'Severity ', severity), h('label', {}, 'Details ', details), h('label', {}, 'Occurred ', occurredAt), button, message);
  form.onsubmit = async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const incident = await api.reportIncident({
        params: { path: { patientId } },
        body: {
          category: category.value as IncidentCategory,
          severity: severity.value as IncidentSeverity,
          details: details.value,
          occurredAt: new Date(occurredAt.value).toISOString(),
        },
      });
      message.className = '';
      message.textContent = `Reported (${incident.status})${incident.reportDueBy ? `; the report to the regulator is due by ${when(incident.reportDueBy)}` : ''}.`;
      details.value = '';
    } catch (error) {
      message.className = 'error';
      message.textContent = describeError(error);
    } finally {
      button.disabled = false;
    }
  };
  return form;
}

/** Now, as a `datetime-local` input wants it (local wall-clock time, to the minute). */
function localNow(): string {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
