/**
 * @module
 * `buildAsyncApi(publicUrl)`: the AsyncAPI 3.0 document of the Socket.IO events (PROTOCOL §4),
 * from the zod schemas the server validates the payloads with (server/edge/validation.ts) and
 * those of socket-schemas.ts, written as the OpenAPI document writes them. It describes the
 * server: it receives `qr:create`, `qr:subscribe`, `qr:unsubscribe` (and replies by the
 * Socket.IO acknowledgement) and sends the `qr:*` pushes.
 */
import type { z } from 'zod';
import { EVENTS } from '../../shared/protocol';
import { createPayload, subscribePayload, unsubscribePayload } from '../edge/validation';
import { CONTRACT_VERSION, componentsOf } from './openapi';
import { geneData } from './schemas';
import { ackOf, cancelledEvent, confirmedEvent, emptyAck, expiredEvent, scannedEvent, snapshot } from './socket-schemas';

type EventKey = keyof typeof EVENTS;

interface Message {
  /** The Socket.IO event name. */
  name: string;
  title: string;
  summary: string;
  schema: string;
}

const CHANNEL = 'qr';
const ref = (path: string) => ({ $ref: path });
const messageRef = (key: string) => ref(`#/channels/${CHANNEL}/messages/${key}`);

/** What the client emits (with an ack) and what the server answers through the ack. */
const REQUESTS: Record<'create' | 'subscribe' | 'unsubscribe', { request: Message; ack: Message; summary: string }> = {
  create: {
    summary: 'Create a QR code over the socket; the socket is subscribed to it already.',
    request: { name: EVENTS.create, title: 'Create', summary: 'The app (else `demo`) and customData.', schema: 'CreatePayload' },
    ack: {
      name: EVENTS.create,
      title: 'Create ack',
      summary: '`{ok: true, data}` with the data of `gene`, or a refusal.',
      schema: 'CreateAck',
    },
  },
  subscribe: {
    summary: 'Follow a QR code: proves the browser secret, answers the current state, then pushes every change.',
    request: { name: EVENTS.subscribe, title: 'Subscribe', summary: 'The QR and its browser secret.', schema: 'SubscribePayload' },
    ack: {
      name: EVENTS.subscribe,
      title: 'Subscribe ack',
      summary: '`{ok: true, data}` with the snapshot (`ticket` at status 2), or `{ok: false, error}` (2241, 2245, …).',
      schema: 'SubscribeAck',
    },
  },
  unsubscribe: {
    summary: 'Stop following a QR code.',
    request: { name: EVENTS.unsubscribe, title: 'Unsubscribe', summary: 'The QR.', schema: 'UnsubscribePayload' },
    ack: { name: EVENTS.unsubscribe, title: 'Unsubscribe ack', summary: '`{ok: true}`.', schema: 'UnsubscribeAck' },
  },
};

/** What the server pushes to the sockets subscribed to a QR (with the right secret). */
const PUSHES: Record<'scanned' | 'confirmed' | 'cancelled' | 'expired', Message> = {
  scanned: { name: EVENTS.scanned, title: 'Scanned', summary: 'A phone scanned the QR (status 1).', schema: 'ScannedEvent' },
  confirmed: {
    name: EVENTS.confirmed,
    title: 'Confirmed',
    summary: 'The user approved (status 2), with the single-use ticket.',
    schema: 'ConfirmedEvent',
  },
  cancelled: { name: EVENTS.cancelled, title: 'Cancelled', summary: 'The user declined (status 3).', schema: 'CancelledEvent' },
  expired: { name: EVENTS.expired, title: 'Expired', summary: 'The QR expired (status -1).', schema: 'ExpiredEvent' },
};

const SCHEMAS: Record<string, z.ZodType> = {
  CreatePayload: createPayload,
  SubscribePayload: subscribePayload,
  UnsubscribePayload: unsubscribePayload,
  CreateAck: ackOf(geneData),
  SubscribeAck: ackOf(snapshot),
  UnsubscribeAck: emptyAck,
  ScannedEvent: scannedEvent,
  ConfirmedEvent: confirmedEvent,
  CancelledEvent: cancelledEvent,
  ExpiredEvent: expiredEvent,
};

const message = (m: Message) => ({
  name: m.name,
  title: m.title,
  summary: m.summary,
  contentType: 'application/json',
  payload: ref(`#/components/schemas/${m.schema}`),
});

const DESCRIPTION = `The real-time half of qrlogin: a browser follows its QR code over Socket.IO (default
namespace, path \`/socket.io\`) instead of polling \`GET /api/v2/qrcode/check\`. Each message is one
Socket.IO event, named by the message's \`name\`; the client's events carry an acknowledgement
callback, which the server always calls with \`{ok: true, data?}\` or \`{ok: false, error: {code,
message}}\` (the codes of the HTTP API's \`ErrorEnvelope\`), never an exception. A socket that
reconnects subscribes again and gets the current snapshot, so no change is lost.`;

/** The AsyncAPI 3.0 document, with `publicUrl`'s host as its server. */
export function buildAsyncApi(publicUrl: string): Record<string, unknown> {
  const url = new URL(publicUrl);
  const messages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const [key, { request, ack, summary }] of Object.entries(REQUESTS)) {
    messages[key] = message(request);
    messages[`${key}Ack`] = message(ack);
    operations[key] = {
      action: 'receive',
      title: request.name,
      summary,
      channel: ref(`#/channels/${CHANNEL}`),
      messages: [messageRef(key)],
      reply: { channel: ref(`#/channels/${CHANNEL}`), messages: [messageRef(`${key}Ack`)] },
    };
  }
  for (const [key, push] of Object.entries(PUSHES) as [EventKey, Message][]) {
    messages[key] = message(push);
    operations[key] = {
      action: 'send',
      title: push.name,
      summary: push.summary,
      channel: ref(`#/channels/${CHANNEL}`),
      messages: [messageRef(key)],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: { title: 'qrlogin Socket.IO events', version: CONTRACT_VERSION, description: DESCRIPTION, license: { name: 'MIT' } },
    defaultContentType: 'application/json',
    servers: {
      qrlogin: {
        host: url.host,
        protocol: url.protocol === 'https:' ? 'wss' : 'ws',
        pathname: `${url.pathname.replace(/\/$/, '')}/socket.io`,
        description: 'Socket.IO (Engine.IO v4): WebSocket, or HTTP long-polling as a fallback.',
      },
    },
    channels: {
      [CHANNEL]: {
        address: '/',
        title: 'The default namespace',
        description: "Every event of a browser's socket; pushes reach only sockets subscribed to that QR with its secret.",
        messages,
      },
    },
    operations,
    components: { schemas: componentsOf(SCHEMAS) },
  };
}
