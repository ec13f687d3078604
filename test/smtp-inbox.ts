// moved to @launchdb/testkit (testkit/src/smtp-inbox.ts); kept so existing imports keep working
export * from '@launchdb/testkit/smtp-inbox';
