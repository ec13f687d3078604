/** The steps of provisioning a project, in the order they run. Each one is idempotent. */
export const PROVISIONING_STEPS = [
  'roles',
  'database',
  'isolation',
  'base_template',
  'app_template',
  'jwt_secret',
  'api_keys',
  'pooler',
  'data_api',
] as const;

export type ProvisioningStep = (typeof PROVISIONING_STEPS)[number];

/** A hook tests use to fail (throw) or crash at a step; production passes none. */
export type ProvisioningFaults = (step: ProvisioningStep, when: 'before' | 'after') => void | Promise<void>;
