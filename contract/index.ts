// The wire contract between the service, the extension and the webview: what goes over HTTP
// (requests, responses, errors) and over the event stream. The zod schemas in schemas.ts
// validate the service's side and are the one source; every type here is inferred from them.
// The extension and webview import this module with `import type` only, so neither zod nor any
// of the service is bundled with them; the extension's one value import is events.ts, whose
// zod/mini schemas check the events it reads.
import type { z } from '@hono/zod-openapi';
import type * as schemas from './schemas.js';

export type { ErrorCode } from './errors.js';
export type { DeliveredEvent, EventPayloads, EventType, TypedEvent } from './events.js';
export type * from './vocabulary.js';

/** Each wire object by the name of its schema, as the service sends it: `Wire['Grant']`. */
export type Wire = { [K in keyof typeof schemas]: z.infer<(typeof schemas)[K]> };
/** Request bodies as the service accepts them (defaults and optional fields not yet filled in). */
export type Accepted = { [K in keyof typeof schemas]: z.input<(typeof schemas)[K]> };

export type AccessRequest = Wire['Request'];
export type ApprovalStep = AccessRequest['steps'][number];
export type RequestContext = AccessRequest['context'];
export type QueryResult = Wire['QueryResult'];
export type ResultColumn = QueryResult['columns'][number];
export type AccessPayload = Wire['AccessPayload'];
export type AccessRequestBody = Accepted['AccessRequestBody'];
export type RoleRequestBody = Accepted['RoleRequestBody'];
export type RolePayload = Wire['RolePayload'];
