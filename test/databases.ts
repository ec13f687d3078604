// moved to @launchdb/testkit (testkit/src/databases.ts); kept so existing imports keep working
export * from '@launchdb/testkit/databases';
