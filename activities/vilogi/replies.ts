// The exchange posted back to Vilogi, once per message (our reference), so that it is visible
// there too: a conversation's messages from Guichet, a triage issue's public notes from Redmine.
import { Context } from '@temporalio/activity';
import type { VilogiRunError } from '../../db/database.js';
import { liveTriageIssues, postedReplies, recordReply, unpostedExchange } from '../../db/vilogi.js';
import { noteMarkerRefs, stripNoteMarkers } from '../../connectors/redmine/notes.js';
import { REPLY_WINDOW_DAYS, message, type VilogiActivityDeps } from './deps.js';

/** Messages posted back per run at most; the rest wait for the next run. */
const EXCHANGE_BATCH = 2000;

export function createReplySteps({ db, redmine, vilogi }: Pick<VilogiActivityDeps, 'db' | 'redmine' | 'vilogi'>) {
  return {
    /** Posts the exchange back to Vilogi, once per message, so that it is visible there too:
     * on conversations, what staff answered and the client wrote after the request (from
     * Guichet's own messages, no Redmine call); on triage issues, staff's public notes (read from
     * Redmine: there is no client space to hold them). A request whose post fails keeps its later
     * messages for the next run, so Vilogi gets them in order. */
    async postVilogiReplies(): Promise<{ posted: number; errors: VilogiRunError[] }> {
      if (!vilogi) return { posted: 0, errors: [] };
      let posted = 0;
      const errors: VilogiRunError[] = [];
      const stalled = new Set<string>();
      for (const m of await unpostedExchange(db, REPLY_WINDOW_DAYS, EXCHANGE_BATCH)) {
        if (stalled.has(m.vilogi_id)) continue;
        const ref = `message-${m.message_id}`;
        try {
          const sent = await vilogi.client.postMessage(m.vilogi_id, {
            reference: ref,
            author: m.author_display_name,
            from: m.author_kind,
            body: m.body,
            sentAt: m.created_at,
          });
          await recordReply(db, m.vilogi_id, ref, sent.messageId);
          posted++;
        } catch (err) {
          stalled.add(m.vilogi_id);
          errors.push({ requestId: m.vilogi_id, message: message(err) });
        }
        Context.current().heartbeat(posted);
      }
      const ctx = redmine;
      if (!ctx) return { posted, errors };
      for (const { vilogi_id: vilogiId, redmine_issue_id: issueId } of await liveTriageIssues(db, REPLY_WINDOW_DAYS)) {
        try {
          const issue = await ctx.client.getIssue(issueId, { journals: true });
          const done = await postedReplies(db, vilogiId);
          for (const journal of issue?.journals ?? []) {
            const ref = `redmine-journal-${journal.id}`;
            // Private notes and Guichet's own notes never leave Redmine.
            if (
              journal.privateNotes ||
              noteMarkerRefs(journal.notes).length > 0 ||
              !journal.notes.trim() ||
              done.has(ref)
            )
              continue;
            const sent = await vilogi.client.postMessage(vilogiId, {
              reference: ref,
              author: journal.userName,
              from: 'staff',
              body: stripNoteMarkers(journal.notes),
              sentAt: journal.createdOn,
            });
            await recordReply(db, vilogiId, ref, sent.messageId);
            posted++;
          }
        } catch (err) {
          errors.push({ requestId: vilogiId, message: message(err) });
        }
        Context.current().heartbeat(posted);
      }
      return { posted, errors };
    },
  };
}
