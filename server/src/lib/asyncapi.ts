/**
 * The AsyncAPI 2.6 document of the Socket.IO protocol, generated from the
 * shared contract (the same TypeBox schemas the server validates every payload
 * against), so it cannot drift from what the server does. Served as
 * /docs/asyncapi.json and rendered readably at /docs/asyncapi.
 */
import {
  BROADCAST_DOCS, Broadcasts, COMMAND_DOCS, Commands, ERROR_CODES, PROTOCOL_VERSION, Snapshot, type BroadcastName, type CommandName,
} from '@diemcau/shared';

type Json = Record<string, unknown>;
/** TypeBox schemas are JSON Schema; a JSON round trip drops TypeBox's symbol keys. */
const plain = (schema: unknown): Json => JSON.parse(JSON.stringify(schema ?? {})) as Json;

/** Refusals at connection time: `connect_error` with `err.data = { code, message }`. */
export const HANDSHAKE_REFUSALS = [
  { code: 'PROTOCOL_MISMATCH', when: '`auth.protocol` is not the server\'s protocol version: reload the client.' },
  { code: 'UNAUTHENTICATED', when: 'No valid session token (`auth.token` or the `dc_session` cookie): sign in over HTTP first.' },
  { code: 'TOO_MANY_CONNECTIONS', when: 'The user already holds the maximum number of live connections (MAX_SOCKETS_PER_USER).' },
] as const;
/** Refused at the transport level (HTTP upgrade), so `connect_error` carries only a message. */
export const TRANSPORT_REFUSALS = [
  { message: 'CROSS_ORIGIN', when: 'The handshake came from a page of another origin (Origin not PUBLIC_BASE_URL, the address reached, or ALLOWED_ORIGINS).' },
  { message: 'server shutting down', when: 'The server is restarting; socket.io-client retries by itself.' },
] as const;
/** Error codes any command's ack may carry, whatever the command. */
export const COMMON_ACK_ERRORS = ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED', 'SERVER_BUSY', 'UNAUTHENTICATED', 'UNKNOWN_EVENT', 'INTERNAL'] as const;

const ErrorCodeSchema = { type: 'string', enum: [...ERROR_CODES] };
const AckError = {
  type: 'object',
  required: ['ok', 'error'],
  properties: {
    ok: { const: false },
    error: { type: 'object', required: ['code', 'message'], properties: { code: { $ref: '#/components/schemas/ErrorCode' }, message: { type: 'string' } } },
  },
};
const ackOf = (data: unknown) => ({
  oneOf: [{ type: 'object', required: ['ok', 'data'], properties: { ok: { const: true }, data: plain(data) } }, { $ref: '#/components/schemas/AckError' }],
});

const describe = `Realtime protocol of diemcau over **Socket.IO 4** (Engine.IO v4), namespace \`/\`, path \`/socket.io/\`, on the same host and port as the HTTP API.

**Handshake.** Sign in over HTTP first (\`POST /api/auth/login\` answers a \`token\`; browsers get the HttpOnly \`dc_session\` cookie). Connect with
\`auth: { protocol: ${PROTOCOL_VERSION}, token }\` (the token may be left out when the cookie is sent). Refusals arrive as \`connect_error\` with
\`err.data = { code, message }\`: ${HANDSHAKE_REFUSALS.map((r) => `\`${r.code}\` (${r.when})`).join('; ')}. Refused at the transport level with only a
message: ${TRANSPORT_REFUSALS.map((r) => `\`${r.message}\` (${r.when})`).join('; ')}. A session that ends (logout, password change, revoked QR code,
expiry) disconnects the socket from the server side: sign in again.

**Commands** (client → server, \`noun:verb\`) take exactly one JSON payload and an acknowledgement callback; the ack is always
\`{ ok: true, data }\` or \`{ ok: false, error: { code, message } }\` (\`x-ack\` of each message). Payloads are validated against the schemas
below (unknown fields are refused). Any command may also answer ${COMMON_ACK_ERRORS.map((c) => `\`${c}\``).join(', ')}. Send \`meeting:join\` first
(most commands answer \`NOT_MEMBER\` otherwise) and again after every reconnect.

**Broadcasts** (server → client) are past tense and carry one JSON payload. Times are epoch milliseconds or ISO 8601 strings as typed.`;

export function buildAsyncApi(version: string): Json {
  const messages: Json = {};
  const commandRefs: Json[] = [];
  const broadcastRefs: Json[] = [];
  for (const name of Object.keys(Commands) as CommandName[]) {
    const def = Commands[name];
    messages[name] = {
      name,
      title: name,
      summary: COMMAND_DOCS[name],
      tags: [{ name: name.split(':')[0]! }, { name: 'command' }],
      payload: plain(def.req),
      // The join ack's data is typed loosely in the contract (features add parts); document the conference snapshot.
      'x-ack': ackOf(name === 'meeting:join' ? Snapshot : def.res),
    };
    commandRefs.push({ $ref: `#/components/messages/${name}` });
  }
  for (const name of Object.keys(Broadcasts) as BroadcastName[]) {
    messages[name] = { name, title: name, summary: BROADCAST_DOCS[name], tags: [{ name: name.split(':')[0]! }, { name: 'broadcast' }], payload: plain(Broadcasts[name]) };
    broadcastRefs.push({ $ref: `#/components/messages/${name}` });
  }
  return {
    asyncapi: '2.6.0',
    id: 'urn:diemcau:realtime',
    info: { title: 'diemcau realtime API (Socket.IO)', version, description: describe, 'x-protocol-version': PROTOCOL_VERSION },
    servers: {
      lan: {
        url: '{host}',
        protocol: 'wss',
        description: 'The diemcau server on the government LAN (ws:// when served over plain http).',
        variables: { host: { default: 'localhost:3000' } },
        security: [{ session: [] }],
      },
    },
    defaultContentType: 'application/json',
    channels: {
      '/': {
        description: 'The default namespace. Clients join a meeting room with `meeting:join`.',
        bindings: { ws: { bindingVersion: '0.1.0', method: 'GET', query: { type: 'object', properties: { EIO: { const: '4' }, transport: { enum: ['websocket', 'polling'] } } } } },
        publish: { operationId: 'command', summary: 'Commands the client sends (each with an ack).', message: { oneOf: commandRefs } },
        subscribe: { operationId: 'broadcast', summary: 'Broadcasts the server sends.', message: { oneOf: broadcastRefs } },
      },
    },
    components: {
      securitySchemes: {
        session: { type: 'httpApiKey', in: 'cookie', name: 'dc_session', description: `Or the same token as \`auth.token\` in the handshake, with \`auth.protocol: ${PROTOCOL_VERSION}\`.` },
      },
      schemas: {
        ErrorCode: ErrorCodeSchema,
        AckError,
        HandshakeAuth: {
          type: 'object',
          required: ['protocol'],
          properties: { protocol: { const: PROTOCOL_VERSION }, token: { type: 'string', description: 'Session token from POST /api/auth/login; optional when the dc_session cookie is sent.' } },
        },
        HandshakeRefusal: {
          type: 'object',
          description: '`err.data` of `connect_error` when the server refuses the handshake.',
          required: ['code', 'message'],
          properties: { code: { enum: HANDSHAKE_REFUSALS.map((r) => r.code) }, message: { type: 'string' } },
          'x-refusals': HANDSHAKE_REFUSALS,
          'x-transport-refusals': TRANSPORT_REFUSALS,
        },
      },
      messages,
    },
  };
}
