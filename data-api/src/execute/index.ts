export {
  executePlan,
  inRequestTransaction,
  isConnectionFailure,
  requestSettings,
  shouldRollback,
  type ExecutionContext,
  type ExecutionResult,
  type ExecutionSettings,
} from './execute-plan.ts';
