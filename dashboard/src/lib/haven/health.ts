import type { HouseHealth } from './types.ts';

/** What lowers the score, in the order a homeowner should act on it. */
export function healthReasons(health: HouseHealth): string[] {
  const reasons: string[] = [];
  if (health.overdue > 0) reasons.push(`${health.overdue} ${health.overdue === 1 ? 'task is' : 'tasks are'} overdue`);
  if (health.low_supplies > 0) reasons.push(`${health.low_supplies} ${health.low_supplies === 1 ? 'supply is' : 'supplies are'} running low`);
  if (health.assets_without_tasks > 0)
    reasons.push(`${health.assets_without_tasks} ${health.assets_without_tasks === 1 ? 'thing has' : 'things have'} no maintenance planned`);
  return reasons;
}

export function healthLabel(score: number): 'Great' | 'Good' | 'Needs attention' | 'At risk' {
  if (score >= 90) return 'Great';
  if (score >= 70) return 'Good';
  if (score >= 40) return 'Needs attention';
  return 'At risk';
}

/** "Due today", "3 days overdue", "in 12 days". */
export function dueInWords(daysUntilDue: number | null): string {
  if (daysUntilDue === null) return 'Not scheduled';
  if (daysUntilDue === 0) return 'Due today';
  if (daysUntilDue < 0) return `${-daysUntilDue} ${daysUntilDue === -1 ? 'day' : 'days'} overdue`;
  if (daysUntilDue === 1) return 'Due tomorrow';
  return `Due in ${daysUntilDue} days`;
}

/** A date column (YYYY-MM-DD) as the homeowner's calendar shows it: the day itself, not UTC midnight shifted. */
export function dayInWords(day: string, locale?: string): string {
  return new Date(`${day.slice(0, 10)}T00:00:00`).toLocaleDateString(locale, { day: 'numeric', month: 'short', year: 'numeric' });
}
