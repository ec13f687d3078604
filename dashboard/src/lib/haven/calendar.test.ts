import { describe, expect, it } from 'vitest';
import { groupByMonth, type Occurrence } from './calendar.ts';

const at = (due_on: string, title: string): Occurrence => ({
  task_id: title, due_on, projected: false, title, property_id: 'p', property_name: 'Home', asset_id: null, asset_name: null, zone_name: null,
});

describe('the calendar', () => {
  it('groups occurrences by month in date order', () => {
    const months = groupByMonth([at('2027-05-02', 'b'), at('2027-04-30', 'a'), at('2027-05-01', 'c'), at('2027-05-01', 'a')], 'en-US');
    expect(months.map((month) => month.label)).toEqual(['April 2027', 'May 2027']);
    expect(months[1]!.items.map((item) => `${item.due_on} ${item.title}`)).toEqual(['2027-05-01 a', '2027-05-01 c', '2027-05-02 b']);
  });

  it('has nothing to show for nothing', () => {
    expect(groupByMonth([])).toEqual([]);
  });
});
