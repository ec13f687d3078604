import { describe, expect, it } from 'vitest';
import { backupsToDelete } from './retention.ts';

/** One backup a night at 02:00 UTC for `nights` nights ending 2026-12-06, newest first. */
function nightly(nights: number): { id: string; at: Date }[] {
  return Array.from({ length: nights }, (_, index) => {
    const at = new Date(Date.UTC(2026, 11, 6 - index, 2));
    return { id: at.toISOString().slice(0, 10), at };
  });
}

describe('grandfather-father-son retention', () => {
  const policy = { daily: 7, weekly: 4, monthly: 12 };

  it('keeps the last 7 days, the newest of the last 4 weeks and of the last 12 months', () => {
    const backups = nightly(400);
    const deleted = new Set(backupsToDelete(backups, policy).map((backup) => backup.id));
    const kept = backups.map((backup) => backup.id).filter((id) => !deleted.has(id));
    expect(kept).toEqual([
      // the last seven days
      '2026-12-06', '2026-12-05', '2026-12-04', '2026-12-03', '2026-12-02', '2026-12-01', '2026-11-30',
      // Sundays: the newest of each ISO week (Monday to Sunday) not covered above
      '2026-11-29', '2026-11-22', '2026-11-15',
      // the last day of each earlier month
      '2026-10-31', '2026-09-30', '2026-08-31', '2026-07-31', '2026-06-30', '2026-05-31', '2026-04-30', '2026-03-31', '2026-02-28', '2026-01-31',
    ]);
  });

  it('never deletes the newest backup, even with a policy that keeps nothing', () => {
    const backups = nightly(3);
    expect(backupsToDelete(backups, { daily: 0, weekly: 0, monthly: 0 }).map((backup) => backup.id)).toEqual(['2026-12-05', '2026-12-04']);
  });

  it('keeps the newest of several backups on one day', () => {
    const day = [
      { id: 'late', at: new Date('2026-12-06T20:00:00Z') },
      { id: 'night', at: new Date('2026-12-06T02:00:00Z') },
    ];
    expect(backupsToDelete(day, policy).map((backup) => backup.id)).toEqual(['night']);
  });
});
