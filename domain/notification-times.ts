// When answer notifications may go out, in Paris time whatever the server's zone: SMS only
// between 8:00 and 20:00, the daily summary at 18:00. Pure and DST-safe (the wall clock is read
// through Intl, never by adding a fixed offset), so workflows use it for their timers.

export const NOTIFICATION_TIME_ZONE = 'Europe/Paris';
/** SMS go out from 8:00 (included) to 20:00 (excluded), Paris time. */
export const SMS_WINDOW = { fromHour: 8, toHour: 20 } as const;
/** The daily summary goes at 18:00 Paris time: the end of the working day, before the evening. */
export const DAILY_SUMMARY_HOUR = 18;

const formatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: NOTIFICATION_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

interface WallClock {
  y: number;
  mo: number;
  d: number;
  hour: number;
  /** Local time minus UTC, in ms, at that instant. */
  offset: number;
}

function wallClock(t: number): WallClock {
  const parts: Record<string, string> = {};
  for (const p of formatter.formatToParts(new Date(t))) parts[p.type] = p.value;
  const y = Number(parts.year);
  const mo = Number(parts.month);
  const d = Number(parts.day);
  const hour = Number(parts.hour);
  const asUtc = Date.UTC(y, mo - 1, d, hour, Number(parts.minute), Number(parts.second));
  return { y, mo, d, hour, offset: asUtc - Math.floor(t / 1000) * 1000 };
}

/** The instant at which Paris clocks read `hour`:00 on the local day y-mo-d (d may overflow). */
function parisInstant(y: number, mo: number, d: number, hour: number): number {
  const guess = Date.UTC(y, mo - 1, d, hour, 0);
  // Two passes settle the offset across a daylight saving change.
  let t = guess - wallClock(guess).offset;
  t = guess - wallClock(t).offset;
  return t;
}

/** The first instant at or after `now` when an SMS may go out (now itself in the daytime). */
export function nextSmsAllowedAt(now: number): number {
  const w = wallClock(now);
  if (w.hour >= SMS_WINDOW.fromHour && w.hour < SMS_WINDOW.toHour) return now;
  // Before 8:00: today at 8:00; from 20:00: tomorrow at 8:00.
  return parisInstant(w.y, w.mo, w.hour < SMS_WINDOW.fromHour ? w.d : w.d + 1, SMS_WINDOW.fromHour);
}

/** The next daily summary instant strictly after `now` (18:00 Paris, today or tomorrow). */
export function nextDailySummaryAt(now: number): number {
  const w = wallClock(now);
  const today = parisInstant(w.y, w.mo, w.d, DAILY_SUMMARY_HOUR);
  return today > now ? today : parisInstant(w.y, w.mo, w.d + 1, DAILY_SUMMARY_HOUR);
}
