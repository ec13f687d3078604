/**
 * `Prefer: count=planned|estimated`, finished by the executor after the main statement:
 * PostgREST reads the planner's row estimate of the count query (`EXPLAIN (FORMAT JSON)`).
 * planned → the estimate; estimated → the exact count unless it passed db-max-rows, then
 * the larger of the two; exact → the statement's own count. Without db-max-rows every count
 * "passes" it (PostgREST compares `Just total > Nothing`), so estimated is then the larger of
 * the exact count and the estimate.
 */
import type { Count } from '../request/types.ts';

/** The root "Plan Rows" of `EXPLAIN (FORMAT JSON)` output (the "QUERY PLAN" value, parsed or text). */
export function plannedRows(queryPlan: unknown): number | undefined {
  const parsed: unknown = typeof queryPlan === 'string' ? JSON.parse(queryPlan) : queryPlan;
  if (!Array.isArray(parsed)) return undefined;
  const first: unknown = parsed[0];
  if (typeof first !== 'object' || first === null || !('Plan' in first)) return undefined;
  const plan: unknown = first.Plan;
  if (typeof plan !== 'object' || plan === null || !('Plan Rows' in plan)) return undefined;
  const rows: unknown = plan['Plan Rows'];
  return typeof rows === 'number' ? rows : undefined;
}

/** Whether the executor must run the plan's `countPlanStatement` for this result. */
export function needsPlannedCount(count: Count | undefined, statementTotal: number | null, maxRows: number | undefined): boolean {
  if (count === 'planned') return true;
  return count === 'estimated' && statementTotal !== null && (maxRows === undefined || statementTotal > maxRows);
}

/** The total for Content-Range, given the statement's total_result_set and (if run) the planned rows. */
export function totalCount(count: Count | undefined, statementTotal: number | null, planned: number | undefined): number | null {
  if (count === 'planned') return planned ?? null;
  if (count === 'estimated' && planned !== undefined) return Math.max(planned, statementTotal ?? 0);
  return statementTotal;
}
