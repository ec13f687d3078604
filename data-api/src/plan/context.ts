/**
 * Server settings the planner needs, taken from the data API's config (PostgREST's
 * `db-max-rows`, `db-aggregates-enabled`, `db-plan-enabled`).
 */
export interface PlanContext {
  /** `db-max-rows`: upper limit of rows in every level of a read (root and embeds). */
  maxRows: number | undefined;
  /** `db-aggregates-enabled`: else `count()`, `col.sum()`, … fail with PGRST123. */
  aggregatesEnabled: boolean;
  /** `db-plan-enabled`: allows `Accept: application/vnd.pgrst.plan…` (PostgREST's default: false). */
  planEnabled?: boolean;
}
