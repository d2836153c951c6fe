import { IANAZone } from 'luxon';
import { invalid } from '../core/errors.ts';

const DAY = 86_400_000;

/**
 * Local calendar facts of slot starts, for calendar features. Offsets are looked up once per UTC day
 * (and per hour on days with a clock change) and cached.
 */
export class Calendar {
  private readonly zone: IANAZone | null;
  private readonly cache = new Map<number, number>();

  constructor(timeZone = 'UTC') {
    if (timeZone !== 'UTC' && !IANAZone.isValidZone(timeZone)) throw invalid('timeZone', `"${timeZone}" is not an IANA time zone`);
    this.zone = timeZone === 'UTC' ? null : IANAZone.create(timeZone);
  }

  /** The wall-clock time of `ms` read as if UTC. */
  local(ms: number): number {
    if (!this.zone) return ms;
    const day = Math.floor(ms / DAY);
    let o = this.cache.get(day);
    if (o === undefined) {
      const a = this.zone.offset(day * DAY);
      const b = this.zone.offset((day + 1) * DAY - 1);
      o = a === b ? a * 60_000 : NaN;
      this.cache.set(day, o);
    }
    return ms + (Number.isNaN(o) ? this.zone.offset(ms) * 60_000 : o);
  }

  /** Hour of the local day, 0..23. */
  hour(ms: number): number {
    return Math.floor((((this.local(ms) % DAY) + DAY) % DAY) / 3_600_000);
  }

  /** Local day of week, 0 = Monday .. 6 = Sunday. */
  weekday(ms: number): number {
    return (Math.floor(this.local(ms) / DAY) + 3) % 7; // 1970-01-01 was a Thursday
  }
}
