// The SLA through HTTP on the dev server: visible deadline, the satisfaction question asked from
// the back-office and answered by the client, the at-risk list and the Prometheus metrics.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace, createStaff, giveSpaces } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let smtp: TestSmtp;
const METRICS_TOKEN = randomBytes(24).toString('hex');
beforeAll(async () => {
  smtp = await startSmtp();
  system = await startTestSystem({ SMTP_URL: smtp.url, METRICS_TOKEN });
});
afterAll(async () => {
  await system?.stop();
  await smtp?.close();
});

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function conversation() {
  const db = system.database.db;
  const space = await createSpace(db, 'Syndic');
  const { account, password } = await createClient(db, { space });
  const client = new Browser(system.app!);
  await client.login(account.email, password);
  const res = await client.post(
    '/conversations',
    { spaceId: space.id, subject: 'Ascenseur en panne', body: 'Depuis hier.' },
    { formUrl: '/conversations/nouvelle' },
  );
  const id = /\/conversations\/([0-9a-f-]{36})/.exec(res.headers.location as string)![1]!;
  const staff = await createStaff(db, { spaces: [space] });
  const office = new Browser(system.app!);
  await office.login(staff.account.email, staff.password, 'staff');
  const status = async () =>
    await db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return { db, space, account, client, office, staff: staff.account, id, status };
}

describe('SLA in the pages', () => {
  it('shows when an answer is expected, then asks and settles the satisfaction question', async () => {
    const { client, office, id, status, account } = await conversation();
    await eventually(status, (c) => c.sla_max_at !== null, 'the answer clock');
    const page = await client.get(`/conversations/${id}`);
    expect(page.body).toContain('Réponse attendue au plus tard le');

    await office.post(
      `/back-office/conversations/${id}/reponses`,
      { body: 'Le technicien passe ce matin.' },
      { formUrl: `/back-office/conversations/${id}` },
    );
    await eventually(status, (c) => c.sla_max_at === null, 'the clock to stop');
    const asked = await office.post(
      `/back-office/conversations/${id}/satisfaction`,
      {},
      { formUrl: `/back-office/conversations/${id}` },
    );
    expect(asked.statusCode).toBe(303);
    await eventually(status, (c) => c.status === 'waiting_client', 'the question');
    await smtp.waitFor(
      (m) => m.subject === 'Votre demande est-elle résolue ? Ascenseur en panne' && smtp.to(account.email).includes(m),
    );
    const question = await client.get(`/conversations/${id}`);
    expect(question.body).toContain('Notre réponse a-t-elle réglé votre demande ?');
    expect(question.body).toContain('Oui, ma demande est résolue');
    expect(question.body).toContain('Non, j’ai encore besoin d’aide');

    const yes = await client.post(
      `/conversations/${id}/satisfaction`,
      { answer: 'yes' },
      { formUrl: `/conversations/${id}` },
    );
    expect(yes.statusCode).toBe(303);
    expect((await status()).status).toBe('resolved');
    const after = await client.get(`/conversations/${id}`);
    expect(after.body).not.toContain('Notre réponse a-t-elle réglé votre demande ?');
    expect(after.body).toContain('Résolu');
  });

  it('"no" reopens the request with a new answer clock', async () => {
    const { client, office, id, status } = await conversation();
    await office.post(
      `/back-office/conversations/${id}/reponses`,
      { body: 'Réglé ?' },
      { formUrl: `/back-office/conversations/${id}` },
    );
    await office.post(
      `/back-office/conversations/${id}/satisfaction`,
      {},
      { formUrl: `/back-office/conversations/${id}` },
    );
    await eventually(status, (c) => c.status === 'waiting_client', 'the question');
    await client.post(`/conversations/${id}/satisfaction`, { answer: 'no' }, { formUrl: `/conversations/${id}` });
    const reopened = await eventually(status, (c) => c.status === 'open' && c.sla_max_at !== null, 'a new clock');
    expect(reopened.sla_max_at!.getTime()).toBeGreaterThan(Date.now());
  });

  it('lists conversations at risk and breached, and exports SLA metrics', async () => {
    const { db, office, id, space } = await conversation();
    await eventually(
      async () =>
        (await db.selectFrom('conversations').select('sla_max_at').where('id', '=', id).executeTakeFirstOrThrow())
          .sla_max_at,
      (v) => v !== null,
      'the clock',
    );
    // As if 50 hours had passed (the timers themselves are tested on the time-skipping server).
    await db
      .updateTable('conversations')
      .set({
        sla_started_at: sql<Date>`now() - interval '50 hours'`,
        sla_target_at: sql<Date>`now() - interval '26 hours'`,
        sla_max_at: sql<Date>`now() - interval '2 hours'`,
      })
      .where('id', '=', id)
      .execute();
    const risk = await office.get(`/back-office/delais?space=${space.id}`);
    expect(risk.statusCode).toBe(200);
    expect(risk.body).toContain('Ascenseur en panne');
    expect(risk.body).toContain('Hors délai');

    const metrics = await system.app!.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain(`guichet_sla_open_clocks{space="${space.slug}",state="breached"} 1`);
    expect(metrics.body).toMatch(/guichet_sla_answers_total\{space="[^"]+",outcome="within_target"\} \d+/);
    expect((await system.app!.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(404);
  });

  it('filters the at-risk list per assignee, the unassigned ones going to the team', async () => {
    const first = await conversation();
    const second = await conversation();
    const db = first.db;
    // One office reads both requests: its staff member is given the second one's space too.
    await giveSpaces(db, first.staff, [second.space]);
    for (const c of [first, second]) {
      await eventually(
        async () => (await c.status()).sla_max_at,
        (v) => v !== null,
        'the clock',
      );
      await db
        .updateTable('conversations')
        .set({
          sla_started_at: sql<Date>`now() - interval '23 hours'`,
          sla_target_at: sql<Date>`now() + interval '1 hour'`,
          sla_max_at: sql<Date>`now() + interval '25 hours'`,
        })
        .where('id', '=', c.id)
        .execute();
    }
    await db
      .updateTable('conversations')
      .set({
        subject: 'Fuite au 3e',
        assignee_redmine_id: 987654,
        assignee_name: 'Camille Roux',
        assignee_email: 'camille@agence.test',
      })
      .where('id', '=', first.id)
      .execute();
    await db.updateTable('conversations').set({ subject: 'Badge perdu' }).where('id', '=', second.id).execute();

    const all = await first.office.get('/back-office/delais');
    expect(all.body).toContain('Fuite au 3e');
    expect(all.body).toContain('Badge perdu');
    expect(all.body).toMatch(/<option value="987654"\s*>Camille Roux \(1\)<\/option>/);

    const camille = await first.office.get('/back-office/delais?assignee=987654');
    expect(camille.body).toContain('Fuite au 3e');
    expect(camille.body).toContain('camille@agence.test');
    expect(camille.body).not.toContain('Badge perdu');

    const team = await first.office.get('/back-office/delais?assignee=none');
    expect(team.body).toContain('Badge perdu');
    expect(team.body).not.toContain('Fuite au 3e');

    // Nonsense is ignored, not an error.
    const odd = await first.office.get('/back-office/delais?assignee=%27or%201=1');
    expect(odd.statusCode).toBe(200);
    expect(odd.body).toContain('Fuite au 3e');
    // Clients never see it.
    expect((await first.client.get('/back-office/delais')).statusCode).toBe(302);
  });
});
