// Working time for SLA clocks: calendar hours, or business hours (opening hours on working days,
// French public holidays off). Pure and deterministic: used inside workflows as well.
export interface SlaCalendar {
  mode: 'calendar' | 'business';
  /** Opening and closing times, "HH:MM", local to the time zone. */
  opens: string;
  closes: string;
  /** ISO weekdays that are working days (1 = Monday … 7 = Sunday). */
  workingDays: readonly number[];
  timeZone: string;
}

export const DEFAULT_BUSINESS_CALENDAR: SlaCalendar = {
  mode: 'business',
  opens: '09:00',
  closes: '18:00',
  workingDays: [1, 2, 3, 4, 5],
  timeZone: 'Europe/Paris',
};

const DAY = 86_400_000;

/** Easter Sunday (Gregorian computus of Meeus/Jones/Butcher), as a UTC date. */
export function easterSunday(year: number): Date {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day));
}

/** French public holidays of a year, as "YYYY-MM-DD" (metropolitan France). */
export function frenchPublicHolidays(year: number): Set<string> {
  const easter = easterSunday(year).getTime();
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  const fixed = ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25'].map((md) => `${year}-${md}`);
  return new Set([
    ...fixed,
    iso(easter + DAY), // Easter Monday
    iso(easter + 39 * DAY), // Ascension
    iso(easter + 50 * DAY), // Whit Monday
  ]);
}

const holidayCache = new Map<number, Set<string>>();
function isHoliday(day: string): boolean {
  const year = Number(day.slice(0, 4));
  let set = holidayCache.get(year);
  if (!set) {
    set = frenchPublicHolidays(year);
    holidayCache.set(year, set);
  }
  return set.has(day);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock reading of an instant in a time zone. */
function wallClock(t: number, timeZone: string) {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t))) parts[p.type] = p.value;
  const y = Number(parts.year);
  const mo = Number(parts.month);
  const d = Number(parts.day);
  const asUtc = Date.UTC(y, mo - 1, d, Number(parts.hour), Number(parts.minute), Number(parts.second));
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  const isoWeekday = ((new Date(Date.UTC(y, mo - 1, d)).getUTCDay() + 6) % 7) + 1;
  return { day, isoWeekday, offset: asUtc - Math.floor(t / 1000) * 1000, y, mo, d };
}

/** The instant at which the wall clock of `day` reads `hhmm` in the zone. */
function instantAt(y: number, mo: number, d: number, hhmm: string, timeZone: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const guess = Date.UTC(y, mo - 1, d, h, m);
  // Two passes settle the offset, daylight saving changes included.
  let t = guess - wallClock(guess, timeZone).offset;
  t = guess - wallClock(t, timeZone).offset;
  return t;
}

/** The working windows [start, end) of the local day containing t, or none. */
function windowOfDay(t: number, cal: SlaCalendar): [number, number] | undefined {
  const w = wallClock(t, cal.timeZone);
  if (!cal.workingDays.includes(w.isoWeekday) || isHoliday(w.day)) return undefined;
  return [instantAt(w.y, w.mo, w.d, cal.opens, cal.timeZone), instantAt(w.y, w.mo, w.d, cal.closes, cal.timeZone)];
}

/** An instant early in the next local day (02:00, clear of daylight-saving gaps). */
function nextDay(t: number, cal: SlaCalendar): number {
  const w = wallClock(t, cal.timeZone);
  return instantAt(w.y, w.mo, w.d, '00:00', cal.timeZone) + DAY + 2 * 3_600_000; // 02:00 next day, clear of DST gaps
}

/** The instant when `amountMs` of working time has passed since `start`. */
export function addWorkingTime(start: Date, amountMs: number, cal: SlaCalendar): Date {
  if (cal.mode === 'calendar') return new Date(start.getTime() + amountMs);
  let t = start.getTime();
  let left = amountMs;
  for (let guard = 0; guard < 3660; guard++) {
    const win = windowOfDay(t, cal);
    if (win) {
      const [open, close] = win;
      const from = Math.max(t, open);
      if (from < close) {
        if (from + left <= close) return new Date(from + left);
        left -= close - from;
      }
    }
    t = nextDay(t, cal);
    const w = wallClock(t, cal.timeZone);
    t = instantAt(w.y, w.mo, w.d, '00:00', cal.timeZone);
  }
  throw new Error('addWorkingTime: no working time within ten years');
}

/** Working time between two instants (0 when `to` is not after `from`). */
export function workingTimeBetween(from: Date, to: Date, cal: SlaCalendar): number {
  if (to <= from) return 0;
  if (cal.mode === 'calendar') return to.getTime() - from.getTime();
  let total = 0;
  let t = from.getTime();
  const end = to.getTime();
  for (let guard = 0; guard < 3660 && t < end; guard++) {
    const win = windowOfDay(t, cal);
    if (win) {
      const a = Math.max(t, win[0]);
      const b = Math.min(end, win[1]);
      if (b > a) total += b - a;
    }
    const w = wallClock(nextDay(t, cal), cal.timeZone);
    t = instantAt(w.y, w.mo, w.d, '00:00', cal.timeZone);
  }
  return total;
}
