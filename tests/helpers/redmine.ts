// The test Redmine (scripts/provision-redmine.sh): its address and keys, and the administrator's
// chores that are no part of the connector (users, memberships, clean-up).
import { randomBytes } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { createHttpClient, type HttpClient } from '../../connectors/http.js';
import { required } from './services-env.js';

export interface RedmineTestEnv {
  url: string;
  adminKey: string;
  apiKey: string;
}

/** Throws (never skips) when the test Redmine is not configured. */
export function redmineTestEnv(): RedmineTestEnv {
  const hint = 'the test Redmine (bash scripts/provision.sh --with-redmine writes it to .cache/services.env)';
  return {
    url: required('TEST_REDMINE_URL', hint),
    adminKey: required('TEST_REDMINE_ADMIN_KEY', hint),
    apiKey: required('TEST_REDMINE_API_KEY', hint),
  };
}

export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export interface TestUser {
  id: number;
  login: string;
  apiKey: string;
}

export class RedmineAdmin {
  readonly http: HttpClient;
  private readonly users: number[] = [];
  private readonly issues: number[] = [];

  constructor(env: RedmineTestEnv) {
    this.http = createHttpClient({ system: 'redmine-admin', baseUrl: env.url, headers: { 'X-Redmine-API-Key': env.adminKey } });
  }

  /** An active user, member of `projectId` with the named roles, with its own API key. */
  async createUser(options: { projectId: number; roles: string[]; commentsSorting?: 'asc' | 'desc' }): Promise<TestUser> {
    const login = unique('t');
    const res = await this.http.json<{ user: { id: number } }>({
      method: 'POST',
      path: '/users.json',
      json: {
        user: { login, firstname: 'Test', lastname: login, mail: `${login}@example.test`, password: randomBytes(12).toString('hex') },
        ...(options.commentsSorting ? { pref: { comments_sorting: options.commentsSorting } } : {}),
      },
    });
    const id = res.data?.user.id;
    if (id === undefined) throw new Error('POST /users.json gave no user');
    this.users.push(id);
    const roleIds = await this.roleIds(options.roles);
    await this.http.json({ method: 'POST', path: `/projects/${options.projectId}/memberships.json`, json: { membership: { user_id: id, role_ids: roleIds } } });
    // An administrator sees (and thereby creates) another user's API key.
    const shown = await this.http.json<{ user: { api_key?: string } }>({ method: 'GET', path: `/users/${id}.json` });
    const apiKey = shown.data?.user.api_key;
    if (!apiKey) throw new Error(`no API key shown for user ${id}`);
    return { id, login, apiKey };
  }

  /** A user who signs in with a known password (no membership needed), deleted by cleanUp. */
  async createLoginUser(options: { admin?: boolean; firstName?: string; lastName?: string } = {}): Promise<TestUser & { password: string; mail: string }> {
    const login = unique('s');
    const password = `Pw-${randomBytes(9).toString('hex')}`;
    const mail = `${login}@example.test`;
    const res = await this.http.json<{ user: { id: number } }>({
      method: 'POST',
      path: '/users.json',
      json: { user: { login, firstname: options.firstName ?? 'Test', lastname: options.lastName ?? login, mail, password, admin: options.admin ?? false } },
    });
    const id = res.data?.user.id;
    if (id === undefined) throw new Error('POST /users.json gave no user');
    this.users.push(id);
    return { id, login, apiKey: '', password, mail };
  }

  async updateUser(id: number, user: Record<string, string | boolean | number>): Promise<void> {
    await this.http.json({ method: 'PUT', path: `/users/${id}.json`, json: { user } });
  }

  async roleIds(names: string[]): Promise<number[]> {
    const res = await this.http.json<{ roles: { id: number; name: string }[] }>({ method: 'GET', path: '/roles.json' });
    return names.map((name) => {
      const role = res.data?.roles.find((r) => r.name === name);
      if (!role) throw new Error(`no Redmine role named ${name}`);
      return role.id;
    });
  }

  /** Deleted once the whole run is over (see global-setup.ts: Redmine would reuse its id). */
  trackIssue(id: number): number {
    this.issues.push(id);
    return id;
  }

  /**
   * A project deleted, with its issues, once the whole run is over. Deleting it earlier hands
   * its issue and journal ids out again while the run's database still links them.
   */
  async trackProject(id: number): Promise<void> {
    await appendFile(inject('redmineIssuesFile'), `project:${id}\n`);
  }

  async cleanUp(): Promise<void> {
    const issues = this.issues.splice(0);
    if (issues.length > 0) await appendFile(inject('redmineIssuesFile'), issues.map((id) => `${id}\n`).join(''));
    for (const id of this.users.splice(0)) {
      await this.http.json({ method: 'DELETE', path: `/users/${id}.json` }).catch(() => undefined);
    }
  }
}
