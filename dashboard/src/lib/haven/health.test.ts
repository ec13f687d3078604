import { describe, expect, it } from 'vitest';
import { dueInWords, healthLabel, healthReasons } from './health.ts';

describe('house health in words', () => {
  it('names what lowers the score, overdue first', () => {
    expect(healthReasons({ score: 40, overdue: 2, due_soon: 1, done_last_90_days: 0, assets_without_tasks: 1, low_supplies: 1 })).toEqual([
      '2 tasks are overdue',
      '1 supply is running low',
      '1 thing has no maintenance planned',
    ]);
    expect(healthReasons({ score: 100, overdue: 0, due_soon: 3, done_last_90_days: 4, assets_without_tasks: 0, low_supplies: 0 })).toEqual([]);
  });

  it('labels the score', () => {
    expect([100, 90, 89, 70, 69, 40, 39, 0].map(healthLabel)).toEqual(['Great', 'Great', 'Good', 'Good', 'Needs attention', 'Needs attention', 'At risk', 'At risk']);
  });

  it('says when a task is due', () => {
    expect([null, 0, -1, -5, 1, 12].map(dueInWords)).toEqual(['Not scheduled', 'Due today', '1 day overdue', '5 days overdue', 'Due tomorrow', 'Due in 12 days']);
  });
});
