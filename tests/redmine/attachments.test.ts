// Client files reach the real Redmine 5.0 with their note; a file above Redmine's size limit
// (5120 KB by default) stays in Guichet and the note links to it in the back-office.
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createInboundSteps } from '../../activities/redmine/inbound.js';
import { createRedmineActivities } from '../../activities/redmine.js';
import {
  createRedmineClient,
  noteMarkerRefs,
  type RedmineClient,
  type RedmineIssue,
} from '../../connectors/redmine/index.js';
import { resolveMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { createFileStorage } from '../../app/file-storage.js';
import { openDatabase, type Db } from '../../db/connect.js';
import { createConversation, insertAttachments, insertMessage, listMessages } from '../../db/conversations.js';
import type { Space } from '../../db/database.js';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, unique } from '../helpers/redmine.js';
import { startTestSystem } from '../helpers/system.js';
import { storeRaw } from '../helpers/stored.js';
import { genuinePdf, genuinePng } from '../helpers/documents.js';

let system: RunningSystem & { url: string };
let staff: RedmineClient; // the administrator, as staff in Redmine
let admin: RedmineAdmin;
let space: Space;
let db: Db;

beforeAll(async () => {
  const env = redmineTestEnv();
  staff = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  admin = new RedmineAdmin(env);
  const probe = await openDatabase({ url: inject('databaseUrl') });
  space = await createSpace(probe.db, 'Crédit');
  await probe.close();
  system = await startTestSystem({
    REDMINE_URL: env.url,
    // These tests are about the mirror: staff sign in with local test accounts.
    STAFF_LOGIN: 'local',
    REDMINE_API_KEY: env.apiKey,
    REDMINE_PROJECTS: `${space.slug}=guichet-demo`,
  });
  db = system.database.db;
});

afterAll(async () => {
  await system?.stop();
  await admin?.cleanUp();
});

// The test Redmine (one thin process) serves every test file's pollers at once: generous waits.
async function eventually<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A genuine PDF of that size (every file is inspected whole). */
function pdf(size: number): Buffer {
  return genuinePdf(size);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/** The journal of a Guichet message's note, once it is on the issue. */
async function noteOf(issueId: number, messageId: string) {
  const issue = await eventually(
    () => staff.getIssue(issueId, { journals: true, attachments: true }),
    (i) => (i?.journals ?? []).some((j) => noteMarkerRefs(j.notes).includes(`message-${messageId}`)),
    `the note of message ${messageId}`,
  );
  const journal = issue!.journals!.find((j) => noteMarkerRefs(j.notes).includes(`message-${messageId}`))!;
  return { issue: issue!, journal };
}

function filesOfJournal(issue: RedmineIssue, journal: { details: { property: string; name: string }[] }) {
  const ids = journal.details.filter((d) => d.property === 'attachment').map((d) => d.name);
  return (issue.attachments ?? []).filter((a) => ids.includes(String(a.id)));
}

describe('client files → Redmine', () => {
  it('puts a small file on the issue with the client’s note, and links a file above Redmine’s limit from the note', async () => {
    const { account, password } = await createClient(db, { space, name: 'Paul Durand' });
    const browser = new Browser(system.app!);
    await browser.login(account.email, password);

    // A new conversation with a small PDF: the file is an attachment of the client's note.
    const small = pdf(30_000);
    const created = await browser.postMultipart(
      '/conversations',
      { spaceId: space.id, subject: unique('Dossier de prêt'), body: 'Voici mon avis d’imposition.', cc: '' },
      [{ filename: 'avis d’imposition.pdf', content: small, contentType: 'application/pdf' }],
      { formUrl: '/conversations/nouvelle' },
    );
    expect(created.statusCode).toBe(303);
    const conversationId = /\/conversations\/([0-9a-f-]{36})/.exec(String(created.headers.location))![1]!;
    const issueId = (
      await eventually(
        () =>
          db
            .selectFrom('conversations')
            .select('redmine_issue_id')
            .where('id', '=', conversationId)
            .executeTakeFirstOrThrow(),
        (c) => c.redmine_issue_id !== null,
        'the issue',
      )
    ).redmine_issue_id!;
    admin.trackIssue(issueId);
    const [first] = await listMessages(db, conversationId);
    const { issue, journal } = await noteOf(issueId, first!.id);
    expect(journal.notes).toContain('Voici mon avis d’imposition.');
    expect(journal.privateNotes).toBe(false);
    const attached = filesOfJournal(issue, journal);
    expect(attached.map((a) => [a.filename, a.filesize])).toEqual([['avis d’imposition.pdf', small.length]]);
    const download = await staff.downloadAttachment(attached[0]!.id);
    expect((await readAll(download.stream)).equals(small)).toBe(true);
    // Guichet knows which Redmine file it became, and marks the message delivered.
    await eventually(
      () =>
        db
          .selectFrom('attachments')
          .select('redmine_attachment_id')
          .where('message_id', '=', first!.id)
          .executeTakeFirstOrThrow(),
      (a) => a.redmine_attachment_id === attached[0]!.id,
      'the Redmine attachment id',
    );
    await eventually(
      () => listMessages(db, conversationId),
      (m) => m[0]?.redmine_delivery === 'delivered',
      'delivery',
    );

    // A reply with a 6 MB scan (above 5120 KB) and a small image: the image goes to Redmine,
    // the scan stays in Guichet and the note links to it.
    const big = pdf(6 * 1024 * 1024);
    const image = genuinePng(4000);
    const replied = await browser.postMultipart(
      `/conversations/${conversationId}/messages`,
      { body: 'Et mes relevés de compte.' },
      [
        { filename: 'relevés 2025.pdf', content: big },
        { filename: 'rib.png', content: image },
      ],
    );
    expect(replied.statusCode).toBe(303);
    const reply = (await listMessages(db, conversationId)).find((m) => m.body === 'Et mes relevés de compte.')!;
    const bigRow = await db
      .selectFrom('attachments')
      .selectAll()
      .where('message_id', '=', reply.id)
      .where('file_name', '=', 'relevés 2025.pdf')
      .executeTakeFirstOrThrow();
    const second = await noteOf(issueId, reply.id);
    expect(second.journal.notes).toContain('Et mes relevés de compte.');
    expect(second.journal.notes).toContain(
      `Pièce jointe trop lourde pour Redmine, disponible dans Guichet : « relevés 2025.pdf » (6 Mo) ${system.config.publicUrl}/back-office/conversations/${conversationId}/pieces-jointes/${bigRow.id}`,
    );
    expect(second.journal.notes).toContain('— Paul Durand (espace client)');
    expect(filesOfJournal(second.issue, second.journal).map((a) => [a.filename, a.filesize])).toEqual([
      ['rib.png', image.length],
    ]);
    expect((second.issue.attachments ?? []).some((a) => a.filesize === big.length)).toBe(false);
    await eventually(
      () => listMessages(db, conversationId),
      (m) => m.find((x) => x.id === reply.id)?.redmine_delivery === 'delivered',
      'delivery of the reply',
    );
    expect(bigRow.redmine_attachment_id).toBeNull();

    // Exactly one note per message, whatever the retries.
    const final = await staff.getIssue(issueId, { journals: true });
    expect(final!.journals!.filter((j) => noteMarkerRefs(j.notes).includes(`message-${reply.id}`))).toHaveLength(1);

    // The link in the note works for staff, in the back-office, byte for byte.
    const link = /https?:\/\/\S+(\/back-office\/conversations\/[0-9a-f-]{36}\/pieces-jointes\/[0-9a-f-]{36})/.exec(
      second.journal.notes,
    )![1]!;
    const { account: agent, password: agentPassword } = await createStaff(db, { spaces: [space] });
    const office = new Browser(system.app!);
    await office.login(agent.email, agentPassword, 'staff');
    const fromOffice = await office.get(link);
    expect(fromOffice.statusCode).toBe(200);
    expect(fromOffice.headers['content-type']).toBe('application/octet-stream');
    expect(fromOffice.rawPayload.equals(big)).toBe(true);
    // And the client still downloads their own file from their space.
    const fromClient = await browser.get(`/conversations/${conversationId}/pieces-jointes/${bigRow.id}`);
    expect(fromClient.rawPayload.equals(big)).toBe(true);
    // Guichet's own note is never mirrored back as a staff message with those files (a poll or two).
    await new Promise((r) => setTimeout(r, 4500));
    expect((await listMessages(db, conversationId)).filter((m) => m.author_kind === 'staff')).toHaveLength(0);
  }, 180_000);
});

describe('retries', () => {
  it('uploads again only what no note holds yet, and never writes a second note', async () => {
    const env = redmineTestEnv();
    const ctx = await resolveMirrorContext({
      url: env.url,
      apiKey: env.apiKey,
      projects: new Map([[space.slug, 'guichet-demo']]),
      emailField: 'E-mail client',
      feedbackStatus: 'Feedback',
      resolvedStatus: 'Resolved',
      staffNames: 'full',
      teamName: 'l’équipe',
    });
    let uploads = 0;
    let failNote = true;
    const client = {
      ...ctx.client,
      upload: (...args: Parameters<typeof ctx.client.upload>) => {
        uploads += 1;
        return ctx.client.upload(...args);
      },
      addNotesOnce: async (...args: Parameters<typeof ctx.client.addNotesOnce>) => {
        // A crash between the uploads and the note: the tokens are never used.
        if (failNote) {
          failNote = false;
          for (const { note } of args[1]) if (typeof note === 'function') await note();
          throw new Error('crash before the note');
        }
        return ctx.client.addNotesOnce(...args);
      },
    };
    const storage = createFileStorage(system.config.storageDir);
    const activities = createRedmineActivities({
      db,
      redmine: { ...ctx, client },
      signals: { staffAnswer: () => Promise.resolve(), askSatisfaction: () => Promise.resolve() },
      publicUrl: system.config.publicUrl,
      storage,
    });

    // A message with one file, written as the server does (no workflow: the activity is run here).
    const { account } = await createClient(db, { space });
    const conversationId = randomUUID();
    const messageId = randomUUID();
    const content = pdf(20_000);
    const stored = await storeRaw(system.config.storageDir, content);
    await createConversation(db, {
      id: conversationId,
      spaceId: space.id,
      clientAccountId: account.id,
      subject: unique('Relance'),
      cc: '',
    });
    await insertMessage(db, {
      id: messageId,
      conversationId,
      authorKind: 'client',
      authorAccountId: account.id,
      authorDisplayName: 'Client',
      body: 'Pièce jointe.',
      redmineDelivery: 'pending',
    });
    await insertAttachments(db, messageId, [
      {
        fileName: 'piece.pdf',
        contentType: 'application/pdf',
        sizeBytes: stored.sizeBytes,
        sha256: stored.sha256,
        storageKey: stored.key,
      },
    ]);

    // Each run is the next attempt of the same step (a first attempt reads nothing before writing).
    const attempt = (n: number) => new MockActivityEnvironment({ attempt: n });
    const ref = { conversationId, messageId };
    await expect(attempt(1).run((r: typeof ref) => activities.mirrorClientMessage(r), ref)).rejects.toThrow(
      'crash before the note',
    );
    expect(uploads).toBe(1);
    await attempt(2).run((r: typeof ref) => activities.mirrorClientMessage(r), ref);
    expect(uploads).toBe(2);
    const issueId = (
      await db
        .selectFrom('conversations')
        .select('redmine_issue_id')
        .where('id', '=', conversationId)
        .executeTakeFirstOrThrow()
    ).redmine_issue_id!;
    admin.trackIssue(issueId);

    // A crash after the note, before Guichet recorded it: the retry finds the note, uploads nothing.
    const forgetDelivery = async () => {
      await db
        .updateTable('messages')
        .set({ redmine_delivery: 'pending', redmine_journal_id: null })
        .where('id', '=', messageId)
        .execute();
      await db
        .updateTable('attachments')
        .set({ redmine_attachment_id: null })
        .where('message_id', '=', messageId)
        .execute();
    };
    await forgetDelivery();
    await attempt(3).run((r: typeof ref) => activities.mirrorClientMessage(r), ref);
    expect(uploads).toBe(2);

    const issue = await staff.getIssue(issueId, { journals: true, attachments: true });
    const notes = issue!.journals!.filter((j) => noteMarkerRefs(j.notes).includes(`message-${messageId}`));
    expect(notes).toHaveLength(1);
    // The first upload was never attached: the issue has the file once.
    expect((issue!.attachments ?? []).map((a) => a.filename)).toEqual(['piece.pdf']);
    const linkedId = async () =>
      (
        await db
          .selectFrom('attachments')
          .select('redmine_attachment_id')
          .where('message_id', '=', messageId)
          .executeTakeFirstOrThrow()
      ).redmine_attachment_id;
    expect(await linkedId()).toBe(issue!.attachments![0]!.id);
    expect((await listMessages(db, conversationId))[0]!.redmine_delivery).toBe('delivered');

    // The same crash, but the poller reads the issue before the retry: it marks the message
    // delivered from its note and links the file too (the retry then has nothing left to do).
    await forgetDelivery();
    await createInboundSteps({
      db,
      signals: { staffAnswer: () => Promise.resolve(), askSatisfaction: () => Promise.resolve() },
    }).syncIssue(ctx, issueId);
    expect(await linkedId()).toBe(issue!.attachments![0]!.id);
    expect((await listMessages(db, conversationId))[0]!.redmine_journal_id).toBe(notes[0]!.id);
  }, 120_000);
});
