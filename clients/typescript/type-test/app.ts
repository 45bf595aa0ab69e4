/**
 * A small browser app compiled against the built package (dist/, as an app gets it): REST by name
 * and by path, the error class, and the GraphQL documents in Amplify's generateClient(). Each
 * `@ts-expect-error` is a misuse the types must refuse; test/unit/clients/types.test.ts compiles it.
 */
import { generateClient } from 'aws-amplify/api';
import { CareStackError, createCareStackClient, type CareStackErrorCode, type components } from '@carestack/client';
import { listPatients, onPatientEvent, reportIncident } from '@carestack/client/graphql';

const api = createCareStackClient({ apiUrl: 'http://localhost:3000', token: async () => 'id-token' });

export async function restByName(): Promise<string> {
  const page = await api.listPatients({ params: { query: { limit: 10 } } });
  const first: components['schemas']['Patient'] | undefined = page.items[0];
  const incident = await api.reportIncident({
    params: { path: { patientId: first?.id ?? 'p-1' } },
    body: { category: 'fall', severity: 'high', details: 'Found on the floor', occurredAt: new Date().toISOString() },
  });
  const severity: 'low' | 'moderate' | 'high' | 'critical' = incident.severity;
  // @ts-expect-error an unknown category
  await api.reportIncident({ params: { path: { patientId: 'p' } }, body: { category: 'slip', severity: 'high', details: 'x', occurredAt: 'x' } });
  // @ts-expect-error the path parameter is required
  await api.reportIncident({ body: { category: 'fall', severity: 'high', details: 'x', occurredAt: 'x' } });
  // @ts-expect-error no such operation
  await api.reportAccident();
  return severity;
}

export async function restByPath(): Promise<number> {
  const { data } = await api.GET('/patients/{patientId}/dashboard', { params: { path: { patientId: 'p-1' } } });
  // @ts-expect-error no such path
  await api.GET('/patients/{patientId}/nothing', { params: { path: { patientId: 'p-1' } } });
  return data?.openIncidentCount ?? 0;
}

export function errors(e: unknown): CareStackErrorCode | undefined {
  if (!(e instanceof CareStackError)) return undefined;
  const status: number = e.status;
  // @ts-expect-error not a code of the contract
  const wrong: CareStackErrorCode = 'teapot';
  return status > 0 ? e.code : wrong;
}

export async function graphql(): Promise<void> {
  const client = generateClient();
  const result = await client.graphql({ query: listPatients, variables: { limit: 5 } });
  const names: string[] = (result.data.listPatients?.items ?? []).map((p) => p.displayName);
  const created = await client.graphql({
    query: reportIncident,
    variables: { patientId: 'p-1', input: { category: 'fall', severity: 'low', details: 'x', occurredAt: '2026-03-01T09:00:00Z' } },
  });
  const id: string | undefined = created.data.reportIncident?.id;
  // @ts-expect-error a variable of the wrong type
  await client.graphql({ query: listPatients, variables: { limit: 'five' } });
  client.graphql({ query: onPatientEvent, variables: { patientId: 'p-1' } }).subscribe({
    next: ({ data }) => {
      const type: string | undefined = data.onPatientEvent?.type;
      void type;
    },
  });
  void names;
  void id;
}
