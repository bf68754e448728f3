// The OpenAPI (TypeBox) schemas of the integration API: every body, parameter, query and answer,
// validated by Fastify before a handler runs, and published in /openapi.json. Errors are RFC 9457
// problems (application/problem+json).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { BODY_MAX, SUBJECT_MAX } from '../../../domain/validation.js';

export const Problem = Type.Object(
  {
    type: Type.String({ format: 'uri' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          pointer: Type.String(),
          in: Type.Union([
            Type.Literal('body'),
            Type.Literal('query'),
            Type.Literal('params'),
            Type.Literal('headers'),
          ]),
          detail: Type.String(),
        }),
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

const problem = { content: { 'application/problem+json': { schema: Type.Ref('Problem') } } };

/** The problems every token route may answer, and those of the given statuses. */
export function problems(...statuses: number[]): Record<number, unknown> {
  const all = [400, 401, 404, 429, 500, 503, ...statuses];
  return Object.fromEntries(all.map((s) => [s, { description: 'Problem', ...problem }]));
}

export const SpaceSlug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: "The space's identifier" });
/** External numbers as the back-office takes them (a `/` is sent as %2F). */
export const CaseNumber = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$',
  description: 'The external number (TELEFI, EKIP, Liciel…)',
});
export const Uuid = Type.String({ format: 'uuid' });

export const CaseParams = Type.Object({ space: SpaceSlug, number: CaseNumber });
export type CaseParams = Static<typeof CaseParams>;
export const PieceParams = Type.Object({ space: SpaceSlug, number: CaseNumber, pieceId: Uuid });
export type PieceParams = Static<typeof PieceParams>;
export const FileParams = Type.Object({ space: SpaceSlug, number: CaseNumber, fileId: Uuid });
export type FileParams = Static<typeof FileParams>;
export const ConversationParams = Type.Object({ space: SpaceSlug, id: Uuid });
export type ConversationParams = Static<typeof ConversationParams>;

export const MAX_LIMIT = 200;
export const PageQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
    limit: Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: 50 }),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof PageQuery>;
export const CaseListQuery = Type.Object(
  { ...PageQuery.properties, space: Type.Optional(SpaceSlug) },
  { additionalProperties: false },
);
export type CaseListQuery = Static<typeof CaseListQuery>;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'Makes the write safe to repeat for 24 h',
    }),
  ),
});

const FactValue = Type.Union([Type.String({ maxLength: 200 }), Type.Number()]);
const Email = Type.String({ format: 'email', maxLength: 254 });
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });

export const CaseInput = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    procedure: Type.String({ minLength: 1, maxLength: 100, description: "The procedure template's identifier" }),
    client: Type.Object({ email: Email, fullName: Name }, { additionalProperties: false }),
    facts: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), FactValue, { maxProperties: 50 }),
    ),
    summary: Type.Optional(Type.String({ maxLength: 20_000 })),
    conclusions: Type.Optional(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 50 })),
    payment: Type.Optional(
      Type.Object(
        {
          state: Type.Optional(Type.Union([Type.Literal('paid'), Type.Literal('unpaid')])),
          amountCents: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 100_000_000_000 }), Type.Null()])),
        },
        { additionalProperties: false },
      ),
    ),
    assignee: Type.Optional(Type.Union([Email, Type.Null()])),
    notifyClient: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CaseInput = Static<typeof CaseInput>;

const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);

export const CaseStep = Type.Object({
  kind: Type.String(),
  at: DateTime,
  detail: Type.Union([Type.String(), Type.Null()]),
});

export const CaseJson = Type.Object(
  {
    id: Uuid,
    space: Type.String(),
    number: Type.String(),
    title: Type.String(),
    procedure: Type.String(),
    status: Type.Union([Type.Literal('open'), Type.Literal('complete'), Type.Literal('closed')]),
    client: Type.Object({ email: Type.String(), fullName: Type.String() }),
    facts: Type.Record(Type.String(), FactValue),
    summary: Type.String(),
    conclusions: Type.Array(Type.String()),
    payment: Type.Object({
      state: Type.Union([Type.Literal('paid'), Type.Literal('unpaid')]),
      amountCents: Type.Union([Type.Integer(), Type.Null()]),
    }),
    assignee: Type.Union([Type.String(), Type.Null()]),
    createdAt: DateTime,
    completedAt: NullableDateTime,
    closedAt: NullableDateTime,
    steps: Type.Optional(Type.Array(CaseStep)),
  },
  { $id: 'Case' },
);
export type CaseJson = Static<typeof CaseJson>;

function page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Null on the last page' }),
  });
}

export const CasePage = page(Type.Ref('Case'));

export const PieceJson = Type.Object(
  {
    id: Uuid,
    category: Type.String({ description: "The category's code" }),
    piece: Type.Union([Type.String(), Type.Null()], { description: 'The piece it was validated as' }),
    fileName: Type.String(),
    contentType: Type.String(),
    sizeBytes: Type.Integer(),
    sha256: Type.String(),
    status: Type.Union([Type.Literal('pending'), Type.Literal('validated'), Type.Literal('rejected')]),
    refusalReason: Type.Union([Type.String(), Type.Null()]),
    comment: Type.Union([Type.String(), Type.Null()]),
    depositedAt: DateTime,
    reviewedAt: NullableDateTime,
  },
  { $id: 'Piece' },
);
export type PieceJson = Static<typeof PieceJson>;
export const PiecePage = page(Type.Ref('Piece'));

export const ValidationInput = Type.Object(
  {
    piece: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type ValidationInput = Static<typeof ValidationInput>;
export const RefusalInput = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 100 }), comment: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
export type RefusalInput = Static<typeof RefusalInput>;

export const FileDownload = Type.Object({
  at: DateTime,
  by: Type.Union([Type.Literal('client'), Type.Literal('staff'), Type.Literal('system')]),
  variant: Type.String(),
});
export const CaseFileJson = Type.Object(
  {
    id: Uuid,
    fileName: Type.String(),
    contentType: Type.String(),
    sizeBytes: Type.Integer(),
    sha256: Type.String(),
    createdAt: DateTime,
    downloads: Type.Object({
      client: Type.Integer({ description: 'Downloads by the client side' }),
      total: Type.Integer(),
      history: Type.Array(FileDownload, { description: 'The 20 latest, newest first' }),
    }),
  },
  { $id: 'CaseFile' },
);
export type CaseFileJson = Static<typeof CaseFileJson>;
export const CaseFilePage = page(Type.Ref('CaseFile'));

export const FileUploadHeaders = Type.Object({
  'x-file-name': Type.String({ minLength: 1, maxLength: 600, description: 'The file name, URL-encoded' }),
  'idempotency-key': IdempotencyHeaders.properties['idempotency-key'],
});

export const ChangeJson = Type.Object({
  kind: Type.Union([Type.Literal('case'), Type.Literal('piece'), Type.Literal('message')]),
  id: Uuid,
  operation: Type.Union([Type.Literal('insert'), Type.Literal('update'), Type.Literal('delete')]),
  caseId: Type.Union([Uuid, Type.Null()]),
  conversationId: Type.Union([Uuid, Type.Null()]),
  at: DateTime,
});
export const ChangePage = page(ChangeJson);

export const MessageJson = Type.Object(
  {
    id: Uuid,
    author: Type.Object({
      kind: Type.Union([Type.Literal('client'), Type.Literal('staff'), Type.Literal('system')]),
      name: Type.String(),
    }),
    kind: Type.Union([Type.Literal('message'), Type.Literal('acknowledgement')]),
    body: Type.String(),
    createdAt: DateTime,
  },
  { $id: 'ThreadMessage' },
);
export const MessagePage = page(Type.Ref('ThreadMessage'));

export const ConversationInput = Type.Object(
  {
    client: Type.Union(
      [
        Type.Object({ email: Email }, { additionalProperties: false }),
        Type.Object({ id: Uuid }, { additionalProperties: false }),
      ],
      { description: "A client of the space: their e-mail address, or their account's id" },
    ),
    subject: Type.String({ minLength: 1, maxLength: SUBJECT_MAX, pattern: '\\S' }),
    message: Type.String({
      minLength: 1,
      maxLength: BODY_MAX,
      pattern: '\\S',
      description:
        'The first message, plain text: shown to the client as typed, written into the Redmine issue escaped for its formatter',
    }),
    author: Type.Optional(
      Type.String({
        format: 'email',
        maxLength: 254,
        description:
          "A staff member of the space (administrator or member) the message is from; absent: the token's creator",
      }),
    ),
    case: Type.Optional(CaseNumber),
  },
  { additionalProperties: false },
);
export type ConversationInput = Static<typeof ConversationInput>;
export const SpaceParams = Type.Object({ space: SpaceSlug });
export type SpaceParams = Static<typeof SpaceParams>;

export const ConversationJson = Type.Object(
  {
    id: Uuid,
    space: Type.String(),
    subject: Type.String(),
    status: Type.Union([
      Type.Literal('open'),
      Type.Literal('answered'),
      Type.Literal('waiting_client'),
      Type.Literal('resolved'),
      Type.Literal('closed'),
    ]),
    client: Type.Object({ email: Type.String(), fullName: Type.String() }),
    case: Type.Union([Type.String(), Type.Null()], { description: "The case's external number, if any" }),
    createdAt: DateTime,
    messages: Type.Array(Type.Ref('ThreadMessage'), { description: 'The public thread, oldest first' }),
  },
  { $id: 'Conversation' },
);
export type ConversationJson = Static<typeof ConversationJson>;

export const integrationSchemas = [Problem, CaseJson, PieceJson, CaseFileJson, MessageJson, ConversationJson];
