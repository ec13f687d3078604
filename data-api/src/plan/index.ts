/**
 * The planner: ApiRequest + SchemaCache → ExecutionPlan, pure. Reads of tables and views are
 * planned here (read-plan.ts); writes and RPC by mutate-plan.ts and call-plan.ts.
 */
import type { ApiRequest } from '../request/types.ts';
import type { SchemaCache } from '../schema-cache/types.ts';
import { buildCallPlan } from './call-plan.ts';
import type { PlanContext } from './context.ts';
import { buildMutationPlan } from './mutate-plan.ts';
import { buildReadPlan } from './read-plan.ts';
import type { ExecutionPlan } from './types.ts';

export type { PlanContext } from './context.ts';
export type { ReadExecutionPlan } from './read-plan.ts';
export { buildReadPlan, findRelation } from './read-plan.ts';
export { needsPlannedCount, plannedRows, totalCount } from './count.ts';

export function buildPlan(request: ApiRequest, cache: SchemaCache, context: PlanContext): ExecutionPlan {
  const { action, target } = request;
  switch (action.kind) {
    case 'insert':
    case 'update':
    case 'delete':
    case 'put':
      return buildMutationPlan(request, cache, context);
    case 'call':
      return buildCallPlan(request, cache, context);
    case 'read':
      if (target.kind === 'relation') return buildReadPlan(request, cache, context);
      if (target.kind === 'routine') return buildCallPlan(request, cache, context);
      break;
    case 'info':
      break;
  }
  throw new Error(`buildPlan: ${action.kind} of ${target.kind} is answered without a plan (OpenAPI and OPTIONS are built by the server)`);
}
