// The use cases of app/ against in-memory ports: one PGlite database (tests/unit/helpers/
// memory-db.ts) for every case file, since starting one is most of these tests' time, and a
// recording WorkflowGateway per test. Each *.cases.ts registers its own describe blocks and
// writes only rows of its own (unique e-mails, spaces and cases).
import { afterAll, beforeAll, describe } from 'vitest';
import { openMemoryDb, type MemoryDb } from '../helpers/memory-db.js';
import { accountCases } from './accounts.cases.js';
import { auditedWriteCases } from './audited-writes.cases.js';
import { contributorCases } from './contributors.cases.js';
import { conversationCases } from './conversations.cases.js';
import { webhookCases } from './webhooks.cases.js';

let memory: MemoryDb;
beforeAll(async () => {
  memory = await openMemoryDb();
}, 60_000);
afterAll(() => memory?.close());

const database = () => memory.db;

describe('conversations', () => conversationCases(database));
describe('accounts', () => accountCases(database));
describe('contributors', () => contributorCases(database));
describe('audited writes', () => auditedWriteCases(database));
describe('webhooks', () => webhookCases(database));
