// Client records in the back-office: search, contacts with their states and the confirmation
// before a new default, invalid ones hidden unless asked for, actions (call, e-mail, letter,
// SMS to the development outbox), observation, files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import { listContactActions, listContacts } from '../../db/clients.js';
import { createClient, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { makePng } from '../helpers/png.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let office: Browser;

beforeAll(async () => {
  // The SMS outbox page is a development tool.
  system = await startTestSystem({ DEV_TOOLS: 'true' });
  // Clients made here belong to no space: only an administrator's scope reaches them.
  const { account, password } = await createStaff(system.database.db, { admin: true });
  office = new Browser(system.app!);
  expect((await office.login(account.email, password, 'staff')).statusCode).toBe(303);
});
afterAll(async () => {
  await system?.stop();
});

describe('client records', () => {
  it('are for staff only, and searched by name or e-mail', async () => {
    const { account } = await createClient(system.database.db, { name: 'Bérénice Recherche' });
    expect((await new Browser(system.app!).get(`/back-office/clients/${account.id}`)).headers.location).toBe(
      '/back-office/connexion',
    );
    const found = await office.get(`/back-office/clients?q=${encodeURIComponent('bérénice rech')}`);
    expect(found.body).toContain(`/back-office/clients/${account.id}`);
    const byMail = await office.get(`/back-office/clients?q=${encodeURIComponent(account.email.slice(0, 12))}`);
    expect(byMail.body).toContain('Bérénice Recherche');
    const none = await office.get('/back-office/clients?q=zzzz-nobody-zzzz');
    expect(none.body).toContain('Aucune fiche client.');
    expect((await office.get('/back-office/clients/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('adds contacts checked for their kind, and asks before replacing a default', async () => {
    const db = system.database.db;
    const { account } = await createClient(db, { name: 'Claire Contact' });
    const url = `/back-office/clients/${account.id}`;
    const bad = await office.post(`${url}/coordonnees`, { kind: 'email', value: 'pas-une-adresse' }, { formUrl: url });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Cette adresse e-mail n’est pas valide.');
    expect(bad.body).toContain('pas-une-adresse');
    const badPhone = await office.post(`${url}/coordonnees`, { kind: 'phone', value: 'appelez-moi' }, { formUrl: url });
    expect(badPhone.body).toContain('Ce numéro de téléphone n’est pas valide');
    expect(await listContacts(db, account.id)).toHaveLength(0);

    for (const value of ['06 12 34 56 78', '01 98 76 54 32']) {
      expect((await office.post(`${url}/coordonnees`, { kind: 'phone', value }, { formUrl: url })).statusCode).toBe(
        303,
      );
    }
    const [first, second] = await listContacts(db, account.id);
    // A first default needs no confirmation.
    expect(
      (await office.post(`${url}/coordonnees/${first!.id}/etat`, { state: 'default' }, { formUrl: url })).statusCode,
    ).toBe(303);
    // Replacing it does: a confirmation page, nothing changed yet.
    const ask = await office.post(`${url}/coordonnees/${second!.id}/etat`, { state: 'default' }, { formUrl: url });
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('Changer la coordonnée par défaut ?');
    expect(ask.body).toContain(
      '« 01 98 76 54 32 » deviendra la coordonnée par défaut à la place de « 06 12 34 56 78 »',
    );
    expect((await listContacts(db, account.id)).find((c) => c.id === second!.id)?.state).toBe('pending');
    const confirmed = await office.post(
      `${url}/coordonnees/${second!.id}/etat`,
      { state: 'default', confirm: '1' },
      { formUrl: url },
    );
    expect(confirmed.statusCode).toBe(303);
    const after = await listContacts(db, account.id);
    expect(after.find((c) => c.id === second!.id)?.state).toBe('default');
    expect(after.find((c) => c.id === first!.id)?.state).toBe('validated');
    const refused = await office.post(`${url}/coordonnees/${first!.id}/etat`, { state: 'perdu' }, { formUrl: url });
    expect(refused.statusCode).toBe(400);
  });

  it('hides invalid contacts unless asked, then shows them in red', async () => {
    const db = system.database.db;
    const { account } = await createClient(db);
    const url = `/back-office/clients/${account.id}`;
    await office.post(`${url}/coordonnees`, { kind: 'email', value: 'ancienne@example.test' }, { formUrl: url });
    const [contact] = await listContacts(db, account.id);
    await office.post(`${url}/coordonnees/${contact!.id}/etat`, { state: 'invalid' }, { formUrl: url });
    const page = await office.get(url);
    expect(page.body).not.toContain('ancienne@example.test');
    expect(page.body).toContain('Afficher les coordonnées invalides (1)');
    const shown = await office.get(`${url}?invalides=1`);
    expect(shown.body).toMatch(
      /<li class="contact invalid" id="contact-[^"]+">\s*<div class="contact-head">\s*<span class="contact-value">ancienne@example.test<\/span>\s*<span class="badge contact-invalid">Invalide<\/span>/,
    );
    // No action offered on an invalid contact.
    expect(shown.body).not.toContain('mailto:ancienne@example.test');
  });

  it('offers call and e-mail links, records letters, and sends SMS through the development provider', async () => {
    const db = system.database.db;
    const { account } = await createClient(db);
    const url = `/back-office/clients/${account.id}`;
    await office.post(`${url}/coordonnees`, { kind: 'phone', value: '+33 6 11 22 33 44' }, { formUrl: url });
    await office.post(`${url}/coordonnees`, { kind: 'email', value: 'Claire@Example.test' }, { formUrl: url });
    await office.post(
      `${url}/coordonnees`,
      { kind: 'postal', value: '12 rue des Lilas\n75011 Paris' },
      { formUrl: url },
    );
    const contacts = await listContacts(db, account.id);
    const phone = contacts.find((c) => c.kind === 'phone')!;
    const postal = contacts.find((c) => c.kind === 'postal')!;
    const page = await office.get(url);
    expect(page.body).toContain('href="tel:+33611223344"');
    expect(page.body).toContain('href="mailto:claire@example.test"');
    expect(page.body).toContain('12 rue des Lilas<br>75011 Paris');

    expect(
      (await office.post(`${url}/coordonnees/${postal.id}/courrier`, { body: 'Mise en demeure' }, { formUrl: url }))
        .statusCode,
    ).toBe(303);
    const empty = await office.post(`${url}/coordonnees/${phone.id}/sms`, { body: '  ' }, { formUrl: url });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Merci d’écrire le texte du SMS.');
    const wrongKind = await office.post(`${url}/coordonnees/${postal.id}/sms`, { body: 'Bonjour' }, { formUrl: url });
    expect(wrongKind.body).toContain('Un SMS part vers un numéro de téléphone qui n’est pas invalide.');
    // SMS reach mobiles only: a French landline is refused before any provider is asked.
    await office.post(`${url}/coordonnees`, { kind: 'phone', value: '01 23 45 67 89' }, { formUrl: url });
    const landline = (await listContacts(db, account.id)).find((c) => c.value.startsWith('01'))!;
    const toLandline = await office.post(
      `${url}/coordonnees/${landline.id}/sms`,
      { body: 'Bonjour' },
      { formUrl: url },
    );
    expect(toLandline.statusCode).toBe(400);
    expect(toLandline.body).toContain('Un SMS part vers un numéro de téléphone qui n’est pas invalide.');
    const text = `Votre rendez-vous est confirmé ${Date.now()}`;
    expect((await office.post(`${url}/coordonnees/${phone.id}/sms`, { body: text }, { formUrl: url })).statusCode).toBe(
      303,
    );
    // The development outbox answers on the loopback only.
    const outbox = await system.app!.inject({ url: '/dev/sms', remoteAddress: '127.0.0.1' });
    expect(outbox.body).toContain(text);
    expect(outbox.body).toContain('+33 6 11 22 33 44');
    const actions = await listContactActions(db, account.id);
    expect(actions.map((a) => [a.kind, a.body])).toEqual([
      ['sms', text],
      ['letter', 'Mise en demeure'],
    ]);
    const history = await office.get(url);
    expect(history.body).toContain('Mise en demeure');
  });

  it('keeps an observation and files on the record', async () => {
    const db = system.database.db;
    const { account } = await createClient(db);
    const url = `/back-office/clients/${account.id}`;
    expect(
      (await office.post(`${url}/observation`, { observation: 'Préfère être appelée le matin.' }, { formUrl: url }))
        .statusCode,
    ).toBe(303);
    expect((await office.get(url)).body).toContain('Préfère être appelée le matin.');
    const tooLong = await office.post(`${url}/observation`, { observation: 'x'.repeat(5001) }, { formUrl: url });
    expect(tooLong.statusCode).toBe(400);

    const refused = await office.postMultipart(
      `${url}/fichiers`,
      {},
      [{ filename: 'notes.txt', content: Buffer.from('hello') }],
      { formUrl: url },
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('« notes.txt » n’est pas accepté');
    const scan = makePng(50, 50, [10, 120, 10]);
    expect(
      (await office.postMultipart(`${url}/fichiers`, {}, [{ filename: 'Avis.png', content: scan }], { formUrl: url }))
        .statusCode,
    ).toBe(303);
    const page = await office.get(url);
    const href = /href="(\/back-office\/clients\/[^"]+\/fichiers\/[^"]+)" download>Avis\.png/.exec(page.body)?.[1];
    expect(href).toBeDefined();
    const download = await office.get(href!);
    expect(download.headers['content-type']).toBe('application/octet-stream');
    expect(download.rawPayload.equals(scan)).toBe(true);
    // Not through another client's record.
    const { account: other } = await createClient(db);
    expect((await office.get(href!.replace(account.id, other.id))).statusCode).toBe(404);
  });
});
