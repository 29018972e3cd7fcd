const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** The offset of `timeZone` from UTC at `instant`, in ms (positive east of Greenwich). */
function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(instant));
  const get = (type: string): number => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant a wall-clock time in `timeZone` (an IANA name; undefined: this machine's zone) names. */
function wallClockToInstant(year: number, month: number, day: number, hour: number, minute: number, timeZone: string | undefined): number {
  if (timeZone === undefined) return new Date(year, month, day, hour, minute).getTime();
  const guess = Date.UTC(year, month, day, hour, minute);
  const first = guess - zoneOffsetMs(guess, timeZone);
  return guess - zoneOffsetMs(first, timeZone);
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The calendar date of `instant` in `timeZone` (or locally). */
function dateIn(instant: number, timeZone: string | undefined): { year: number; month: number; day: number } {
  if (timeZone === undefined) {
    const date = new Date(instant);
    return { year: date.getFullYear(), month: date.getMonth(), day: date.getDate() };
  }
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(new Date(instant));
  const get = (type: string): number => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month') - 1, day: get('day') };
}

/**
 * A reset time as the CLIs print it, to an instant: "6am (UTC)", "5:30pm (Europe/Berlin)",
 * "Dec 9, 3pm (Europe/Berlin)", "Aug 3rd, 2026 7:07 PM", "3:42 PM", "15:00". A time zone in
 * parentheses is used, else this machine's. A clock time with no date that is already more than
 * a minute past means the next day. Undefined when no time of day is readable.
 */
export function parseResetClock(text: string, now: Date = new Date()): Date | undefined {
  const zoneName = /\(([A-Za-z_]+(?:\/[A-Za-z_+-]+)*|UTC|GMT)\)/.exec(text)?.[1];
  const timeZone = zoneName && isTimeZone(zoneName) ? zoneName : undefined;
  const clock = /\b(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?(?![a-z])|\b(\d{1,2}):(\d{2})\b/i.exec(text);
  if (!clock) return undefined;
  let hour = Number(clock[1] ?? clock[4]);
  const minute = Number(clock[2] ?? clock[5] ?? 0);
  const meridiem = clock[3]?.toLowerCase();
  if (meridiem === 'p' && hour < 12) hour += 12;
  if (meridiem === 'a' && hour === 12) hour = 0;
  if (hour > 23 || minute > 59) return undefined;
  const dated = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?/i.exec(text);
  const today = dateIn(now.getTime(), timeZone);
  if (dated) {
    const month = MONTHS.indexOf(dated[1]!.toLowerCase());
    const day = Number(dated[2]);
    let year = dated[3] ? Number(dated[3]) : today.year;
    let instant = wallClockToInstant(year, month, day, hour, minute, timeZone);
    // "Jan 2" read in late December is next year's.
    if (!dated[3] && instant < now.getTime() - 180 * 86_400_000) {
      year += 1;
      instant = wallClockToInstant(year, month, day, hour, minute, timeZone);
    }
    return new Date(instant);
  }
  let instant = wallClockToInstant(today.year, today.month, today.day, hour, minute, timeZone);
  if (instant < now.getTime() - 60_000) instant = wallClockToInstant(today.year, today.month, today.day + 1, hour, minute, timeZone);
  return new Date(instant);
}
