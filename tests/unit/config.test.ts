import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, sharedSecretProblems } from '../../config.js';
import { invitationPolicy } from '../../domain/contributor-access.js';

describe('configuration', () => {
  it('runs on embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.embeddedDatabase).toBe(true);
    expect(config.embeddedTemporal).toBe(true);
    expect(config.mailOutboxOnly).toBe(true);
    expect(config.demoData).toBe(true);
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.SESSION_IDLE_MINUTES).toBe(30);
    expect(config.cookieSecure).toBe(false);
  });

  it('treats empty values as unset and derives the rest', () => {
    const config = loadConfig({
      DATABASE_URL: '',
      PUBLIC_URL: 'https://espace.example.fr/',
      TEMPORAL_ADDRESS: 'temporal:7233',
    });
    expect(config.embeddedDatabase).toBe(true);
    expect(config.publicUrl).toBe('https://espace.example.fr');
    expect(config.cookieSecure).toBe(true);
    expect(config.demoData).toBe(false);
  });

  it('keeps deposited files under the data directory unless STORAGE_DIR says otherwise', () => {
    expect(loadConfig({ DATA_DIR: '/srv/guichet' }).storageDir).toBe(path.resolve('/srv/guichet/files'));
    expect(loadConfig({ DATA_DIR: '/srv/guichet', STORAGE_DIR: '' }).storageDir).toBe(
      path.resolve('/srv/guichet/files'),
    );
    expect(loadConfig({ STORAGE_DIR: 'shared/files' }).storageDir).toBe(path.resolve('shared/files'));
  });

  it('keeps deposited files on local disk unless STORAGE_URL names a bucket, with S3_* then AWS_* credentials', () => {
    expect(loadConfig({}).storage).toEqual({ kind: 'local' });
    expect(loadConfig({ STORAGE_URL: '' }).storage).toEqual({ kind: 'local' });
    const url = 's3://guichet?endpoint=http://127.0.0.1:8333&region=us-east-1';
    expect(loadConfig({ STORAGE_URL: url }).storage).toEqual({ kind: 's3', url, credentials: undefined });
    expect(
      loadConfig({ STORAGE_URL: url, S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret', AWS_ACCESS_KEY_ID: 'aws' })
        .storage,
    ).toEqual({ kind: 's3', url, credentials: { accessKeyId: 'id', secretAccessKey: 'secret' } });
    expect(
      loadConfig({ STORAGE_URL: url, AWS_ACCESS_KEY_ID: 'aws', AWS_SECRET_ACCESS_KEY: 'aws-secret' }).storage,
    ).toEqual({ kind: 's3', url, credentials: { accessKeyId: 'aws', secretAccessKey: 'aws-secret' } });
    expect(() => loadConfig({ STORAGE_URL: 'https://bucket.example' })).toThrow(/STORAGE_URL: must start with s3:\/\//);
    expect(() => loadConfig({ STORAGE_URL: url, S3_ACCESS_KEY_ID: 'id' })).toThrow(/give both or neither/);
  });

  it('signs staff in with Redmine when Redmine is configured, else with local accounts', () => {
    const redmine = { REDMINE_URL: 'http://redmine.test', REDMINE_API_KEY: 'k', REDMINE_PROJECTS: 'a=b' };
    expect(loadConfig({}).staffLogin).toBe('local');
    expect(loadConfig(redmine).staffLogin).toBe('redmine');
    expect(loadConfig({ ...redmine, STAFF_LOGIN: 'local' }).staffLogin).toBe('local');
    expect(() => loadConfig({ STAFF_LOGIN: 'redmine' })).toThrow('STAFF_LOGIN: redmine needs REDMINE_URL');
  });

  it('names no staff or administrator group unless told (members of mapped projects, Redmine administrators)', () => {
    const redmine = { REDMINE_URL: 'http://redmine.test', REDMINE_API_KEY: 'k', REDMINE_PROJECTS: 'a=b' };
    expect(loadConfig(redmine).REDMINE_STAFF_GROUP).toBeUndefined();
    expect(
      loadConfig({ ...redmine, REDMINE_STAFF_GROUP: ' ', REDMINE_ADMIN_GROUP: '' }).REDMINE_ADMIN_GROUP,
    ).toBeUndefined();
    expect(loadConfig({ ...redmine, REDMINE_STAFF_GROUP: ' Guichet ', REDMINE_ADMIN_GROUP: '12' })).toMatchObject({
      REDMINE_STAFF_GROUP: 'Guichet',
      REDMINE_ADMIN_GROUP: '12',
    });
  });

  it('lists every bad setting at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', SMTP_URL: 'http://mail', SESSION_SECRET: 'short', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'SMTP_URL', 'SESSION_SECRET', 'LOG_LEVEL']) expect(message).toContain(name);
    expect(message).not.toContain('short'); // values, which may be secrets, are not echoed
  });
});

describe('secrets every process of a deployment shares', () => {
  const external = { DATABASE_URL: 'postgres://db/guichet', TEMPORAL_ADDRESS: 'temporal:7233' };

  it('lets the embedded run generate its own session secret', () => {
    expect(sharedSecretProblems(loadConfig({}), { server: true })).toEqual([]);
    expect(sharedSecretProblems(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }), { server: true })).toEqual([]);
  });

  it('asks a server on an external database for SESSION_SECRET, saying why', () => {
    const [problem, ...rest] = sharedSecretProblems(loadConfig(external), { server: true });
    expect(rest).toEqual([]);
    expect(problem).toContain('SESSION_SECRET: required with DATABASE_URL');
    expect(problem).toContain('same secret');
    expect(sharedSecretProblems(loadConfig({ ...external, SESSION_SECRET: 'x'.repeat(32) }), { server: true })).toEqual(
      [],
    );
  });

  it('asks a worker for nothing: it signs no cookie', () => {
    expect(sharedSecretProblems(loadConfig(external), { server: false })).toEqual([]);
  });
});

describe('Vilogi settings', () => {
  it('syncs every 15 minutes into guichet-demo by default; maps services to projects; refuses a bad pair', () => {
    const defaults = loadConfig({});
    expect(defaults.VILOGI_URL).toBeUndefined();
    expect(defaults.VILOGI_SYNC_MINUTES).toBe(15);
    expect(defaults.VILOGI_CATCHUP_MINUTES).toBe(60);
    expect(defaults.VILOGI_TRIAGE_PROJECT).toBe('guichet-demo');
    expect(defaults.VILOGI_IMPORT_CONCURRENCY).toBe(8);
    expect([...defaults.vilogiServices]).toEqual([['*', 'guichet-demo']]);
    expect(loadConfig({ VILOGI_IMPORT_CONCURRENCY: '3' }).VILOGI_IMPORT_CONCURRENCY).toBe(3);
    expect(() => loadConfig({ VILOGI_IMPORT_CONCURRENCY: '0' })).toThrow(/VILOGI_IMPORT_CONCURRENCY/);

    const mapped = loadConfig({
      VILOGI_URL: 'https://vilogi-gw.example.fr',
      VILOGI_SERVICES: 'Gestion=ec-gestion, copropriete=ec-copro ,*=ec-accueil',
      VILOGI_SYNC_MINUTES: '5',
    });
    expect(mapped.VILOGI_SYNC_MINUTES).toBe(5);
    expect(Object.fromEntries(mapped.vilogiServices)).toEqual({
      gestion: 'ec-gestion',
      copropriete: 'ec-copro',
      '*': 'ec-accueil',
    });

    expect(() =>
      loadConfig({ VILOGI_SERVICES: 'gestion', VILOGI_SYNC_MINUTES: '0', VILOGI_URL: 'pas une url' }),
    ).toThrow(ConfigError);
    expect(() => loadConfig({ VILOGI_SERVICES: 'gestion=', VILOGI_SYNC_MINUTES: '2' })).toThrow(
      'VILOGI_SERVICES: "gestion=" is not service=project-identifier',
    );
  });

  it('reads the contributor invitation policy: 14 days, reminders on day 2 and 5 by default', () => {
    expect(invitationPolicy(loadConfig({}))).toEqual({ reminderDays: [2, 5], expiryDays: 14 });
    expect(invitationPolicy(loadConfig({ CONTRIBUTOR_REMINDER_DAYS: '', CONTRIBUTOR_INVITATION_DAYS: '' }))).toEqual({
      reminderDays: [2, 5],
      expiryDays: 14,
    });
    expect(
      invitationPolicy(loadConfig({ CONTRIBUTOR_REMINDER_DAYS: ' 1, 3 ,7 ', CONTRIBUTOR_INVITATION_DAYS: '10' })),
    ).toEqual({ reminderDays: [1, 3, 7], expiryDays: 10 });
    expect(invitationPolicy(loadConfig({ CONTRIBUTOR_REMINDER_DAYS: '0' })).reminderDays).toEqual([]);
    expect(() => loadConfig({ CONTRIBUTOR_REMINDER_DAYS: 'lundi', CONTRIBUTOR_INVITATION_DAYS: '0' })).toThrow(
      /CONTRIBUTOR_REMINDER_DAYS[\s\S]*CONTRIBUTOR_INVITATION_DAYS|CONTRIBUTOR_INVITATION_DAYS[\s\S]*CONTRIBUTOR_REMINDER_DAYS/,
    );
  });
});
