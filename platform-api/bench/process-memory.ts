// moved to the testkit, where every benchmark that states a memory figure finds it
export * from '@launchdb/testkit/process-memory';
