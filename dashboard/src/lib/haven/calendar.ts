/** One row of `upcoming_tasks`: a due date of a task, the next one or a later one projected. */
export interface Occurrence {
  task_id: string;
  due_on: string;
  projected: boolean;
  title: string;
  property_id: string;
  property_name: string;
  asset_id: string | null;
  asset_name: string | null;
  zone_name: string | null;
}

/** Occurrences by calendar month, in date order, each month labelled for people ("April 2027"). */
export function groupByMonth(occurrences: Occurrence[], locale?: string): Array<{ key: string; label: string; items: Occurrence[] }> {
  const months = new Map<string, Occurrence[]>();
  for (const item of [...occurrences].sort((a, b) => a.due_on.localeCompare(b.due_on) || a.title.localeCompare(b.title))) {
    const key = item.due_on.slice(0, 7);
    const list = months.get(key) ?? [];
    list.push(item);
    months.set(key, list);
  }
  return [...months].map(([key, items]) => ({
    key,
    label: new Date(`${key}-01T00:00:00`).toLocaleDateString(locale, { month: 'long', year: 'numeric' }),
    items,
  }));
}
