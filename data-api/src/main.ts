import { runDataApiCommand } from './command.ts';

await runDataApiCommand(process.argv.slice(2));
