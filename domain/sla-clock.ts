// The answer clock of one client request: its deadlines from the space's policy, and how far its
// warnings are spread. Pure and deterministic: the conversation workflow keeps the clock, and the
// step that opens a request computes it (activities/request-opening.ts).
import { addWorkingTime, type SlaCalendar } from './sla-calendar.js';

export type SlaAlertKind = 'reminder' | 'pre-breach' | 'breach';

/** What a clock needs of the space's policy. */
export interface SlaClockPolicy {
  calendar: SlaCalendar;
  targetMs: number;
  maxMs: number;
  /** When the client wrote the request that starts the clock (the message's time), if known. */
  requestedAt?: string;
}

/** The answer clock of one client request. Instants in ms since the epoch. */
export interface SlaClock {
  /** The request (client message) that started it. */
  requestId: string;
  startedAt: number;
  reminderAt: number;
  targetAt: number;
  preBreachAt: number;
  maxAt: number;
  sent: SlaAlertKind[];
  /** How much earlier than their instant the two warnings (reminder, pre-breach) go, to spread a
   * burst of clocks started together (spreadOf); never the breach. Absent on older clocks: 0. */
  spreadMs?: number;
}

export const SLA_ALERTS: ReadonlyArray<
  readonly [SlaAlertKind, keyof Pick<SlaClock, 'reminderAt' | 'preBreachAt' | 'maxAt'>]
> = [
  ['reminder', 'reminderAt'],
  ['pre-breach', 'preBreachAt'],
  ['breach', 'maxAt'],
];

/** The widest spread of the warnings: ten minutes, and at most 5 % of the time from the clock's
 * start to its reminder (a 24 h target: reminder at 18 h, sent up to 10 min before). */
const SPREAD_MAX_MS = 10 * 60_000;
const SPREAD_SHARE = 0.05;

/** How much earlier this clock's warnings go: a fraction of the allowed window fixed by the request
 * id (FNV-1a), so that thousands of requests written in the same second do not all remind at the
 * same instant, and a replay computes the same. Never later than due; never the breach. */
export function spreadOf(requestId: string, startedAt: number, reminderAt: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < requestId.length; i++) hash = Math.imul(hash ^ requestId.charCodeAt(i), 0x01000193) >>> 0;
  const window = Math.min(SPREAD_MAX_MS, Math.max(0, reminderAt - startedAt) * SPREAD_SHARE);
  return Math.floor((hash / 0x1_0000_0000) * window);
}

/** Deadlines of a clock started now: a reminder at 75 % of the target, the manager alerted a
 * quarter of the target before the maximum, and at the maximum. Working time per the policy. */
export function startClock(requestId: string, now: number, policy: SlaClockPolicy): SlaClock {
  const at = (ms: number) => addWorkingTime(new Date(now), ms, policy.calendar).getTime();
  const reminderAt = at(policy.targetMs * 0.75);
  return {
    requestId,
    startedAt: now,
    reminderAt,
    targetAt: at(policy.targetMs),
    preBreachAt: at(Math.max(policy.targetMs, policy.maxMs - policy.targetMs * 0.25)),
    maxAt: at(policy.maxMs),
    sent: [],
    spreadMs: spreadOf(requestId, now, reminderAt),
  };
}

/** A request's clock starts when the client wrote it (`policy.requestedAt`), not when Guichet got
 * to it (a worker or Redmine outage must not give staff extra time); never in the future (clocks
 * may differ a little); without a written time, now. */
export function startRequestClock(requestId: string, now: number, policy: SlaClockPolicy): SlaClock {
  const requestedAt = policy.requestedAt ? Date.parse(policy.requestedAt) : Number.NaN;
  return startClock(requestId, Number.isFinite(requestedAt) ? Math.min(now, requestedAt) : now, policy);
}

/** When an alert of this clock goes: the warnings up to `spreadMs` early, the breach on time. */
export function alertAt(clock: SlaClock, kind: SlaAlertKind): number {
  const key = SLA_ALERTS.find(([k]) => k === kind)![1];
  return kind === 'breach' ? clock[key] : clock[key] - (clock.spreadMs ?? 0);
}

/** The deadlines pages and lists show for a running clock (or none), as recorded in the database. */
export function shownDeadlines(clock: SlaClock | null): {
  startedAt: string | null;
  targetAt: string | null;
  maxAt: string | null;
} {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    startedAt: clock ? iso(clock.startedAt) : null,
    targetAt: clock ? iso(clock.targetAt) : null,
    maxAt: clock ? iso(clock.maxAt) : null,
  };
}
