/** Grandfather-father-son: how many days, ISO weeks and months keep their newest backup. */
export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
}

export interface Dated {
  id: string;
  /** When the backup was taken. */
  at: Date;
}

/**
 * The backups of one subject (a project, the platform) to delete: every backup that is not the
 * newest of one of the `daily` most recent days that have backups, of the `weekly` most recent
 * weeks, or of the `monthly` most recent months. The newest backup is always kept.
 */
export function backupsToDelete<T extends Dated>(backups: T[], policy: RetentionPolicy): T[] {
  const newestFirst = [...backups].sort((a, b) => b.at.getTime() - a.at.getTime());
  const keep = new Set<string>();
  if (newestFirst[0]) keep.add(newestFirst[0].id);
  const keepNewestPer = (bucket: (at: Date) => string, count: number): void => {
    const seen = new Set<string>();
    for (const backup of newestFirst) {
      if (seen.size >= count) break;
      const key = bucket(backup.at);
      if (seen.has(key)) continue;
      seen.add(key);
      keep.add(backup.id);
    }
  };
  keepNewestPer(dayOf, policy.daily);
  keepNewestPer(isoWeekOf, policy.weekly);
  keepNewestPer(monthOf, policy.monthly);
  return newestFirst.filter((backup) => !keep.has(backup.id));
}

function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** `2026-W49`: ISO 8601 weeks start on Monday; the week belongs to the year of its Thursday. */
function isoWeekOf(at: Date): string {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
