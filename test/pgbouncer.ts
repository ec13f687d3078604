// moved to @launchdb/testkit (testkit/src/pgbouncer.ts); kept so existing imports keep working
export * from '@launchdb/testkit/pgbouncer';
