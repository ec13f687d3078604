// moved to @launchdb/testkit (testkit/src/ports.ts); kept so existing imports keep working
export * from '@launchdb/testkit/ports';
