// The case's notepad and assignment against the real Redmine 5.0: each becomes one private note on
// the case's issue (read back: private, written once even when the workflow is started again),
// and none reaches the client: not the case page, not the conversation the issue is mirrored
// to, not the messages export.
import { Client, Connection } from '@temporalio/client';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedmineClient, type RedmineClient } from '../../connectors/redmine/index.js';
import { openDatabase, type Db } from '../../db/connect.js';
import type { Space } from '../../db/database.js';
import type { RunningSystem } from '../../runtime/system.js';
import { caseNoteWorkflowId } from '../../workflows/index.js';
import { cloneTemplate, makeCase } from '../helpers/documents.js';
import { createClient, createStaff, giveSpaces } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, unique } from '../helpers/redmine.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let staffRedmine: RedmineClient;
let admin: RedmineAdmin;
let space: Space;
let db: Db;
let projectId: number;
let temporal: Client;
const EMAIL_FIELD = 1;

beforeAll(async () => {
  const env = redmineTestEnv();
  staffRedmine = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  admin = new RedmineAdmin(env);
  projectId = (await staffRedmine.listProjects()).find((p) => p.identifier === 'guichet-demo')!.id;
  const probe = await openDatabase({ url: inject('databaseUrl') });
  space = await probe.db
    .insertInto('spaces')
    .values({ slug: unique('bloc'), name: 'Crédit auto' })
    .returningAll()
    .executeTakeFirstOrThrow();
  await probe.close();
  system = await startTestSystem({
    REDMINE_URL: env.url,
    REDMINE_API_KEY: env.apiKey,
    REDMINE_PROJECTS: `${space.slug}=guichet-demo`,
    REDMINE_POLL_SECONDS: '0.5',
    STAFF_LOGIN: 'local',
  });
  db = system.database.db;
  temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
});

afterAll(async () => {
  await temporal?.connection.close();
  await system?.stop();
  await admin?.cleanUp();
});

async function eventually<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('notepad and assignment on Redmine', () => {
  it('writes each as one private note on the case’s issue, and none reaches the client', async () => {
    const template = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
    const { account, password } = await createClient(db, { space, name: 'Claire Martin' });
    const issue = await staffRedmine.createIssue({
      projectId,
      subject: unique('Dossier TELEFI'),
      description: 'Dossier de financement',
      customFields: [{ id: EMAIL_FIELD, value: account.email }],
    });
    admin.trackIssue(issue.id);
    const kase = await makeCase(db, { space, client: account, template, number: unique('TELEFI') });
    await db.updateTable('cases').set({ redmine_issue_id: issue.id }).where('id', '=', kase.id).execute();

    const { account: agentAccount, password: agentPassword } = await createStaff(db, {
      name: 'Julien Bernard',
      spaces: [space],
    });
    const { account: colleague } = await createStaff(db, { name: unique('Inès Faure'), spaces: [space] });
    const agent = new Browser(system.app!);
    await agent.login(agentAccount.email, agentPassword, 'staff');
    const page = `/back-office/dossiers/${kase.id}`;
    const secret = unique('SECRET-BLOC-NOTES le garant hésite');
    expect((await agent.post(`${page}/bloc-notes`, { note: secret }, { formUrl: page })).statusCode).toBe(303);
    expect((await agent.post(`${page}/attribution`, { assignee: colleague.id }, { formUrl: page })).statusCode).toBe(
      303,
    );

    const notepadText = `Bloc-notes — Julien Bernard :\n\n${secret}`;
    const assignText = `Dossier attribué à ${colleague.full_name} par Julien Bernard.`;
    const read = await eventually(
      () => staffRedmine.getIssue(issue.id, { journals: true }),
      (i) => [notepadText, assignText].every((text) => (i?.journals ?? []).some((j) => j.notes.includes(text))),
      'the two private notes',
    );
    for (const text of [notepadText, assignText]) {
      const journals = read!.journals!.filter((j) => j.notes.includes(text));
      expect(journals, text).toHaveLength(1);
      expect(journals[0]!.privateNotes, text).toBe(true);
    }

    // Started again (a retried request, a second run of the same workflow id): still one note.
    const note = await db
      .selectFrom('case_notes')
      .select('id')
      .where('case_id', '=', kase.id)
      .executeTakeFirstOrThrow();
    const ref = `notepad-${note.id}`;
    await system.app!.deps.workflows.caseNote(kase.id, ref, notepadText);
    await expect(temporal.workflow.getHandle(caseNoteWorkflowId(kase.id, ref)).result()).resolves.toEqual({
      written: true,
    });
    const again = await staffRedmine.getIssue(issue.id, { journals: true });
    expect(again!.journals!.filter((j) => j.notes.includes(secret))).toHaveLength(1);

    // The issue is mirrored as the client's conversation: a public note after the private ones
    // shows that the mirror has read past them.
    const conversation = await eventually(
      () => db.selectFrom('conversations').select('id').where('redmine_issue_id', '=', issue.id).executeTakeFirst(),
      (c) => c !== undefined,
      'the issue mirrored as a conversation',
      // The poller shares Redmine with every other test file: minutes are possible under load.
      90_000,
    );
    const publicText = unique('Votre dossier avance');
    await staffRedmine.addNote(issue.id, { notes: publicText });
    await eventually(
      () => db.selectFrom('messages').select('body').where('conversation_id', '=', conversation!.id).execute(),
      (rows) => rows.some((r) => r.body.includes(publicText)),
      'the public note as a message',
      90_000,
    );

    const client = new Browser(system.app!);
    await client.login(account.email, password);
    for (const url of [
      `/dossiers/${kase.id}`,
      `/conversations/${conversation!.id}`,
      '/conversations',
      `/api/v1/conversations/${conversation!.id}`,
    ]) {
      const res = await client.get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).not.toContain('SECRET-BLOC-NOTES');
      expect(res.body, url).not.toContain('Dossier attribué à');
    }

    // The staff messages export has the public note and none of the private ones. Every test
    // system maps guichet-demo to its own space: the agent is given the one that mirrored it.
    const mirrored = await db
      .selectFrom('conversations')
      .select('space_id')
      .where('id', '=', conversation!.id)
      .executeTakeFirstOrThrow();
    await giveSpaces(db, agentAccount, [{ id: mirrored.space_id }]);
    const exported = await agent.get('/back-office/exports/messages.xlsx');
    expect(exported.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(new Uint8Array(exported.rawPayload).buffer);
    const cells: string[] = [];
    book.worksheets[0]!.eachRow((row) => row.eachCell((c) => void cells.push(c.text)));
    expect(cells.some((c) => c.includes(publicText))).toBe(true);
    expect(cells.some((c) => c.includes('SECRET-BLOC-NOTES') || c.includes('Dossier attribué à'))).toBe(false);
  }, 240_000);
});
