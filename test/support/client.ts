/**
 * A client of the local stack, used the way an app uses CareStack: sign in through Cognito's API,
 * call the REST API with the ID token, subscribe over AppSync's realtime protocol.
 */
import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import WebSocket from 'ws';
import type { Json } from './json.js';

export interface Outputs {
  ApiUrl: string;
  RealtimeUrl: string;
  UserPoolClientId: string;
  CognitoEndpoint: string;
  Region: string;
}

/** Signs in with USER_PASSWORD_AUTH; the ID token by default, or the access token (what Amplify sends to AppSync). */
export async function signIn(outputs: Outputs, email: string, password: string, which: 'id' | 'access' = 'id'): Promise<string> {
  const cognito = new CognitoIdentityProviderClient({
    endpoint: outputs.CognitoEndpoint,
    region: outputs.Region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const out = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: outputs.UserPoolClientId,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    const token = which === 'id' ? out.AuthenticationResult?.IdToken : out.AuthenticationResult?.AccessToken;
    if (!token) throw new Error(`no ${which} token for ${email}`);
    return token;
  } finally {
    cognito.destroy();
  }
}

export interface ApiResponse<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

export function apiClient(outputs: Outputs) {
  return async function call<T = Json>(
    token: string | undefined,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${outputs.ApiUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
}

/** A `ws` message's text, whichever of its buffer shapes it arrives in. */
export const rawText = (raw: WebSocket.RawData): string =>
  (Array.isArray(raw) ? Buffer.concat(raw) : raw instanceof ArrayBuffer ? Buffer.from(raw) : raw).toString('utf8');

type Message = { type: string; id?: string; payload?: Json };

/** A connection speaking AppSync's realtime protocol (`graphql-ws` subprotocol, header in the query string). */
export class RealtimeConnection {
  private readonly messages: Message[] = [];
  private readonly waiters: Array<() => void> = [];

  private constructor(
    private readonly ws: WebSocket,
    private readonly token: string,
    private readonly host: string,
  ) {
    ws.on('message', (raw) => {
      this.messages.push(JSON.parse(rawText(raw)) as Message);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(realtimeUrl: string, token: string): Promise<RealtimeConnection> {
    const host = new URL(realtimeUrl).host;
    const header = Buffer.from(JSON.stringify({ Authorization: token, host })).toString('base64');
    const ws = new WebSocket(`${realtimeUrl}?header=${encodeURIComponent(header)}&payload=e30=`, ['graphql-ws']);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const conn = new RealtimeConnection(ws, token, host);
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await conn.next((m) => m.type === 'connection_ack' || m.type === 'connection_error');
    return conn;
  }

  /** Sends `start`; resolves with `start_ack` or `error` for it. */
  async start(query: string, variables: Record<string, unknown> = {}): Promise<{ id: string; ack: Message }> {
    const id = randomUUID();
    this.ws.send(
      JSON.stringify({
        id,
        type: 'start',
        payload: {
          data: JSON.stringify({ query, variables }),
          extensions: { authorization: { Authorization: this.token, host: this.host } },
        },
      }),
    );
    const ack = await this.next((m) => m.id === id && (m.type === 'start_ack' || m.type === 'error'));
    return { id, ack };
  }

  /** The first message (already received or still to come) that matches. */
  async next(match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) {
        this.messages.splice(this.messages.indexOf(found), 1);
        return found;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching realtime message within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Data messages received for a subscription so far (consumed). */
  drainData(id: string): Message[] {
    const out = this.messages.filter((m) => m.id === id && m.type === 'data');
    for (const m of out) this.messages.splice(this.messages.indexOf(m), 1);
    return out;
  }

  close(): void {
    this.ws.close();
  }
}

export const ON_PATIENT_EVENT = /* GraphQL */ `
  subscription OnPatientEvent($patientId: ID!) {
    onPatientEvent(patientId: $patientId) { id orgId patientId recipientId type entityType entityId at data }
  }`;

export const ON_MY_EVENT = /* GraphQL */ `
  subscription OnMyEvent {
    onMyEvent { id orgId patientId recipientId type entityType entityId at data }
  }`;

/** Polls until `check` returns a value (audit rows arrive within seconds, not instantly). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
