/** Rows and documents as Haven's API returns them (see postgres/templates/haven). */
export interface TaskCard {
  id: string;
  property_id: string;
  asset_id: string | null;
  title: string;
  description: string | null;
  next_due_on: string | null;
  last_done_on: string | null;
  asset_name: string | null;
  zone_name: string | null;
  days_until_due: number | null;
}

export interface HouseHealth {
  score: number;
  overdue: number;
  due_soon: number;
  done_last_90_days: number;
  assets_without_tasks: number;
  low_supplies: number;
}

export interface Supply {
  id: string;
  name: string;
  quantity: number;
  unit: string | null;
  reorder_below: number | null;
}

export interface LogEntry {
  id: string;
  performed_on: string;
  notes: string | null;
  cost: number | null;
  task_title: string | null;
  asset_name: string | null;
}

export interface PropertyDashboard {
  property: { id: string; name: string; address: string | null; my_role: 'owner' | 'member' };
  house_health: HouseHealth;
  overdue_tasks: TaskCard[];
  due_soon_tasks: TaskCard[];
  low_supplies: Supply[];
  recent_logs: LogEntry[];
  unprocessed_captures: number;
}
