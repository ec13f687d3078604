// moved to @launchdb/testkit (testkit/src/throwaway-postgres.ts); kept so existing imports keep working
export * from '@launchdb/testkit/throwaway-postgres';
