// The OpenAPI (TypeBox) schemas of the client JSON API: its answers and its query.
import { Type, type Static } from '@sinclair/typebox';

export const Error_ = Type.Object({ message: Type.String() }, { $id: 'Error' });
export const Status = Type.Union(
  ['open', 'answered', 'waiting_client', 'resolved', 'closed'].map((s) => Type.Literal(s)),
);
export const ConversationSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  subject: Type.String(),
  status: Status,
  space: Type.String(),
  lastMessageAt: Type.String({ format: 'date-time' }),
  unreadAnswers: Type.Integer(),
});
export const Message = Type.Object({
  id: Type.String({ format: 'uuid' }),
  author: Type.Object({
    kind: Type.Union([Type.Literal('client'), Type.Literal('staff'), Type.Literal('system')]),
    name: Type.String(),
  }),
  kind: Type.Union([Type.Literal('message'), Type.Literal('acknowledgement')]),
  body: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
/** Every number bounded: a page far beyond any list (`?page=74394160550312427520`) is a 400, not
 * an offset PostgreSQL cannot take (a 500 before). */
export const MAX_PAGE = 100_000;
export const ListQuery = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
});
export type ListQuery = Static<typeof ListQuery>;

export const Me = Type.Object({
  id: Type.String(),
  email: Type.String(),
  fullName: Type.String(),
  locale: Type.String(),
});
export const ConversationList = Type.Object({
  items: Type.Array(ConversationSummary),
  total: Type.Integer(),
  page: Type.Integer(),
  limit: Type.Integer(),
});
export const ConversationWithMessages = Type.Object({
  id: Type.String(),
  subject: Type.String(),
  status: Status,
  messages: Type.Array(Message),
});
