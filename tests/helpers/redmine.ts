// The test Redmine (scripts/provision-redmine.sh): its address and keys, and the administrator's
// chores that are no part of the connector (users, memberships, clean-up).
import { randomBytes } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { createHttpClient, type HttpClient } from '../../connectors/http.js';
import type { Db } from '../../db/connect.js';
import type { Browser } from './http.js';
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

/** A text of the test's own. Hexadecimal only after the prefix: a staff note is rendered as
 * Textile on the client's page, where a base-36 "5x3" would read "5×3" (a dimension sign). */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(16)}-${randomBytes(3).toString('hex')}`;
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
  private readonly groups: number[] = [];

  constructor(env: RedmineTestEnv) {
    this.http = createHttpClient({
      system: 'redmine-admin',
      baseUrl: env.url,
      headers: { 'X-Redmine-API-Key': env.adminKey },
    });
  }

  /** An active user, member of `projectId` with the named roles, with its own API key. */
  async createUser(options: {
    projectId: number;
    roles: string[];
    commentsSorting?: 'asc' | 'desc';
  }): Promise<TestUser> {
    const login = unique('t');
    const res = await this.http.json<{ user: { id: number } }>({
      method: 'POST',
      path: '/users.json',
      json: {
        user: {
          login,
          firstname: 'Test',
          lastname: login,
          mail: `${login}@example.test`,
          password: randomBytes(12).toString('hex'),
        },
        ...(options.commentsSorting ? { pref: { comments_sorting: options.commentsSorting } } : {}),
      },
    });
    const id = res.data?.user.id;
    if (id === undefined) throw new Error('POST /users.json gave no user');
    this.users.push(id);
    const roleIds = await this.roleIds(options.roles);
    await this.http.json({
      method: 'POST',
      path: `/projects/${options.projectId}/memberships.json`,
      json: { membership: { user_id: id, role_ids: roleIds } },
    });
    // An administrator sees (and thereby creates) another user's API key.
    const shown = await this.http.json<{ user: { api_key?: string } }>({ method: 'GET', path: `/users/${id}.json` });
    const apiKey = shown.data?.user.api_key;
    if (!apiKey) throw new Error(`no API key shown for user ${id}`);
    return { id, login, apiKey };
  }

  /** A user who signs in with a known password (no membership needed), deleted by cleanUp. */
  async createLoginUser(
    options: { admin?: boolean; firstName?: string; lastName?: string } = {},
  ): Promise<TestUser & { password: string; mail: string }> {
    const login = unique('s');
    const password = `Pw-${randomBytes(9).toString('hex')}`;
    const mail = `${login}@example.test`;
    const res = await this.http.json<{ user: { id: number } }>({
      method: 'POST',
      path: '/users.json',
      json: {
        user: {
          login,
          firstname: options.firstName ?? 'Test',
          lastname: options.lastName ?? login,
          mail,
          password,
          admin: options.admin ?? false,
        },
      },
    });
    const id = res.data?.user.id;
    if (id === undefined) throw new Error('POST /users.json gave no user');
    this.users.push(id);
    return { id, login, apiKey: '', password, mail };
  }

  async updateUser(id: number, user: Record<string, string | boolean | number>): Promise<void> {
    await this.http.json({ method: 'PUT', path: `/users/${id}.json`, json: { user } });
  }

  /** Locks a user (Redmine status 3): their password and keys stop working. */
  async lockUser(id: number): Promise<void> {
    await this.updateUser(id, { status: 3 });
  }

  async deleteUser(id: number): Promise<void> {
    await this.http.json({ method: 'DELETE', path: `/users/${id}.json` });
  }

  /** A user's (or a group's) membership of a project with the named roles. */
  async addMembership(
    projectId: number | string,
    principalId: number,
    roles: string[] = ['Guichet API'],
  ): Promise<void> {
    const roleIds = await this.roleIds(roles);
    await this.http.json({
      method: 'POST',
      path: `/projects/${projectId}/memberships.json`,
      json: { membership: { user_id: principalId, role_ids: roleIds } },
    });
  }

  /** Takes a user out of a project (their direct membership). */
  async removeMembership(projectId: number, userId: number): Promise<void> {
    const res = await this.http.json<{ user: { memberships?: { id: number; project: { id: number } }[] } }>({
      method: 'GET',
      path: `/users/${userId}.json`,
      query: { include: 'memberships' },
    });
    const membership = res.data?.user.memberships?.find((m) => m.project.id === projectId);
    if (!membership) throw new Error(`user ${userId} is no member of project ${projectId}`);
    await this.http.json({ method: 'DELETE', path: `/memberships/${membership.id}.json` });
  }

  /** A group with these users, deleted by cleanUp. */
  async createGroup(userIds: number[] = [], name = unique('g')): Promise<{ id: number; name: string }> {
    const res = await this.http.json<{ group: { id: number } }>({
      method: 'POST',
      path: '/groups.json',
      json: { group: { name, user_ids: userIds } },
    });
    const id = res.data?.group.id;
    if (id === undefined) throw new Error('POST /groups.json gave no group');
    this.groups.push(id);
    return { id, name };
  }

  async addToGroup(groupId: number, userId: number): Promise<void> {
    await this.http.json({ method: 'POST', path: `/groups/${groupId}/users.json`, json: { user_id: userId } });
  }

  async removeFromGroup(groupId: number, userId: number): Promise<void> {
    await this.http.json({ method: 'DELETE', path: `/groups/${groupId}/users/${userId}.json` });
  }

  /**
   * A private project like guichet-demo (every tracker, the issue fields linked, so that an API
   * user who is no administrator sees the e-mail field), deleted once the run is over.
   */
  async createProject(): Promise<{ id: number; identifier: string }> {
    const identifier = unique('p').toLowerCase();
    const trackers = await this.http.json<{ trackers: { id: number }[] }>({ method: 'GET', path: '/trackers.json' });
    const fields = await this.http.json<{ custom_fields: { id: number; customized_type: string }[] }>({
      method: 'GET',
      path: '/custom_fields.json',
    });
    const project = {
      name: identifier,
      identifier,
      is_public: false,
      tracker_ids: trackers.data!.trackers.map((t) => t.id),
      issue_custom_field_ids: fields.data!.custom_fields.filter((f) => f.customized_type === 'issue').map((f) => f.id),
    };
    const res = await this.http.json<{ project: { id: number } }>({
      method: 'POST',
      path: '/projects.json',
      json: { project },
    });
    const id = res.data?.project.id;
    if (id === undefined) throw new Error('POST /projects.json gave no project');
    await this.trackProject(id);
    return { id, identifier };
  }

  async projectId(identifier: string): Promise<number> {
    const res = await this.http.json<{ project: { id: number } }>({
      method: 'GET',
      path: `/projects/${identifier}.json`,
    });
    const id = res.data?.project.id;
    if (id === undefined) throw new Error(`no project ${identifier}`);
    return id;
  }

  /** A user's API key (an administrator sees, and thereby creates, it). */
  async apiKeyOf(id: number): Promise<string> {
    const shown = await this.http.json<{ user: { api_key?: string } }>({ method: 'GET', path: `/users/${id}.json` });
    const apiKey = shown.data?.user.api_key;
    if (!apiKey) throw new Error(`no API key shown for user ${id}`);
    return apiKey;
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
    for (const id of this.groups.splice(0)) {
      await this.http.json({ method: 'DELETE', path: `/groups/${id}.json` }).catch(() => undefined);
    }
    for (const id of this.users.splice(0)) {
      await this.http.json({ method: 'DELETE', path: `/users/${id}.json` }).catch(() => undefined);
    }
  }
}

/**
 * A conversation a signed-in client opens through the form, and the Redmine issue the mirror
 * makes for it (waited for within `timeoutMs`, then tracked for clean-up).
 */
export async function openConversationWithIssue(
  browser: Browser,
  db: Db,
  admin: RedmineAdmin,
  form: { spaceId: string; subject: string; body: string },
  timeoutMs: number,
): Promise<{ conversationId: string; issueId: number }> {
  const res = await browser.post('/conversations', form, { formUrl: '/conversations/nouvelle' });
  if (res.statusCode !== 303) throw new Error(`opening the conversation answered ${res.statusCode}: ${res.body}`);
  const conversationId = /\/conversations\/([0-9a-f-]{36})/.exec(res.headers.location as string)![1]!;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { redmine_issue_id: issueId } = await db
      .selectFrom('conversations')
      .select('redmine_issue_id')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    if (issueId !== null) {
      admin.trackIssue(issueId);
      return { conversationId, issueId };
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the issue of conversation ${conversationId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
