// The staff-facing texts Guichet writes into Redmine and Vilogi: French byte for byte as they were
// written inline before the catalogue, and an English catalogue with the same entries.
import { describe, expect, it } from 'vitest';
import { STAFF_NOTES_LOCALE, staffNotes } from '../../../i18n/notes/index.js';

describe('staff notes', () => {
  const fr = staffNotes('fr');

  it('writes notes in French by default', () => {
    expect(STAFF_NOTES_LOCALE).toBe('fr');
    expect(staffNotes()).toBe(fr);
  });

  it('keeps the texts of the Redmine mirror', () => {
    expect(fr.issueWrittenBy('Ada L', 'ada@example.test')).toBe(
      'Demande écrite par Ada L <ada@example.test> depuis l’espace client.',
    );
    expect(fr.acknowledgementSent).toBe('Accusé de réception envoyé au client (dans son espace et par e-mail).');
    expect(fr.attachmentTooLargeForRedmine('plan.pdf', 6.5 * 1024 * 1024, 'https://g/x')).toBe(
      'Pièce jointe trop lourde pour Redmine, disponible dans Guichet : « plan.pdf » (6,5 Mo) https://g/x',
    );
    expect(fr.clientMessageSignature('Ada')).toBe('— Ada (espace client)');
  });

  it('keeps the texts of SLA alerts', () => {
    expect(fr.slaAlert('reminder', 'Sujet', '2 janvier 2027 à 10:00', 'https://g/c')).toBe(
      'Rappel : le client attend une réponse à « Sujet » avant le 2 janvier 2027 à 10:00.\nhttps://g/c',
    );
    expect(fr.slaAlertSubject('breach', 'Sujet')).toBe('Délai maximal dépassé — Sujet');
  });

  it('keeps the texts of the Vilogi import', () => {
    expect(
      fr.vilogiOrigin({
        id: 'V1',
        filedAt: '2 janvier 2027 à 10:00',
        authorName: '',
        authorEmail: null,
        service: 'Syndic',
        building: null,
        lot: '12',
      }),
    ).toEqual([
      'Demande déposée sur l’extranet Vilogi (n° V1) le 2 janvier 2027 à 10:00.',
      'Auteur : — (sans adresse e-mail)',
      'Service : Syndic · Immeuble : — · Lot : 12',
    ]);
    expect(fr.vilogiRefusal.too_large).toBe('plus de 10 Mo');
    expect(fr.vilogiSentToRedmine(42)).toBe('Transféré dans Redmine (#42) et dans l’espace client.');
  });

  it('has every entry in English too', () => {
    const en = staffNotes('en');
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
    expect(Object.keys(en.vilogiRefusal).sort()).toEqual(Object.keys(fr.vilogiRefusal).sort());
  });
});
