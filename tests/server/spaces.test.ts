// Spaces for administrators: the answer SLA policy of a space edited through the back-office,
// refused with every problem named and nothing stored, audited; a new space created; agents kept
// out. The conversation workflow reads the policy when a clock starts (loadSlaPolicy).
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/connect.js';
import { createSlaActivities } from '../../activities/sla.js';
import { createConversation } from '../../db/conversations.js';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let db: Db;
let admin: Browser;

beforeAll(async () => {
  system = await startTestSystem();
  db = system.database.db;
  const { account, password } = await createStaff(db, { admin: true });
  admin = new Browser(system.app!);
  expect((await admin.login(account.email, password, 'staff')).statusCode).toBe(303);
});
afterAll(async () => {
  await system?.stop();
});

const policyForm = {
  name: 'Syndic de copropriété',
  target: '8',
  max: '16,5',
  calendar: 'business',
  opens: '08:30',
  closes: '17:30',
  teamEmail: 'Syndic@Agence.test',
  managerEmail: 'direction@agence.test',
  satisfaction: '96',
  retention: '24',
};

describe('spaces in the back-office', () => {
  it('edits a space’s answer times; a bad form names every problem and stores nothing; the next clock uses them', async () => {
    const space = await createSpace(db, 'Syndic');
    const page = await admin.get(`/back-office/espaces/${space.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="24"');

    const bad = await admin.post(
      `/back-office/espaces/${space.id}`,
      {
        ...policyForm,
        target: '30',
        max: '12',
        opens: '18:00',
        closes: '9h',
        managerEmail: 'direction@',
        satisfaction: '0',
        retention: '0',
      },
      { formUrl: `/back-office/espaces/${space.id}` },
    );
    expect(bad.statusCode).toBe(400);
    for (const text of [
      'Le délai maximal ne peut pas être plus court que le délai visé.',
      'Fermeture : une heure au format HH:MM, par exemple 09:00.',
      'E-mail du responsable : cette adresse e-mail n’est pas valide.',
      'Résolution automatique sans réponse du client (heures) : un nombre d’heures entre 0,1 et 8 760',
      'Durée de conservation : un nombre entier de mois entre 1 et 600, ou vide.',
      'Rien n’a été enregistré.',
    ])
      expect(bad.body).toContain(text);
    expect(bad.body).toContain('value="9h"'); // what was typed is kept
    expect(
      (await db.selectFrom('spaces').select('sla_target_hours').where('id', '=', space.id).executeTakeFirstOrThrow())
        .sla_target_hours,
    ).toBe(24);

    const saved = await admin.post(`/back-office/espaces/${space.id}`, policyForm, {
      formUrl: `/back-office/espaces/${space.id}`,
    });
    expect(saved.statusCode).toBe(303);
    const row = await db.selectFrom('spaces').selectAll().where('id', '=', space.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      name: 'Syndic de copropriété',
      sla_target_hours: 8,
      sla_max_hours: 16.5,
      sla_calendar: 'business',
      sla_opens: '08:30',
      sla_closes: '17:30',
      team_email: 'syndic@agence.test',
      manager_email: 'direction@agence.test',
      satisfaction_timeout_hours: 96,
      retention_months: 24,
    });
    const audit = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('subject_id', '=', space.id)
      .where('action', '=', 'space.policy')
      .executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({
      from: { slaTargetHours: 24, slaCalendar: 'calendar' },
      to: { slaTargetHours: 8, slaCalendar: 'business' },
    });
    expect((await admin.get(saved.headers.location as string)).body).toContain('value="16,5"');

    // What the conversation workflow reads when a clock starts.
    const { account: client } = await createClient(db, { space: row });
    const conversationId = randomUUID();
    await createConversation(db, {
      id: conversationId,
      spaceId: space.id,
      clientAccountId: client.id,
      subject: 'Appel de fonds',
      cc: '',
    });
    const policy = await createSlaActivities({ db, redmine: undefined, publicUrl: 'https://g.test' }).loadSlaPolicy(
      conversationId,
    );
    expect(policy).toMatchObject({
      targetMs: 8 * 3_600_000,
      maxMs: 16.5 * 3_600_000,
      satisfactionTimeoutMs: 96 * 3_600_000,
      calendar: { mode: 'business', opens: '08:30', closes: '17:30' },
    });
  });

  it('creates a space with its identifier once; agents cannot see or change spaces', async () => {
    const slug = `travaux-${randomBytes(3).toString('hex')}`;
    const created = await admin.post(
      '/back-office/espaces',
      { ...policyForm, name: 'Travaux', slug },
      { formUrl: '/back-office/espaces' },
    );
    expect(created.headers.location).toBe('/back-office/espaces?fait=cree');
    expect((await admin.get('/back-office/espaces?fait=cree')).body).toContain('Travaux');
    const again = await admin.post(
      '/back-office/espaces',
      { ...policyForm, name: 'Travaux bis', slug },
      { formUrl: '/back-office/espaces' },
    );
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('Cet identifiant est déjà celui d’un autre espace.');
    const badSlug = await admin.post(
      '/back-office/espaces',
      { ...policyForm, slug: 'Gestion Locative' },
      { formUrl: '/back-office/espaces' },
    );
    expect(badSlug.body).toContain('L’identifiant ne prend que des lettres minuscules');
    expect(await db.selectFrom('spaces').select('id').where('slug', '=', slug).execute()).toHaveLength(1);

    const { account, password } = await createStaff(db);
    const agent = new Browser(system.app!);
    await agent.login(account.email, password, 'staff');
    expect((await agent.get('/back-office/espaces')).statusCode).toBe(403);
    const space = await createSpace(db, 'Location saisonnière');
    expect(
      (await agent.post(`/back-office/espaces/${space.id}`, policyForm, { formUrl: '/back-office' })).statusCode,
    ).toBe(403);
    expect(
      (await db.selectFrom('spaces').select('name').where('id', '=', space.id).executeTakeFirstOrThrow()).name,
    ).toBe('Location saisonnière');
  });
});
