// `launchdb migrate-platform` alone: the entry `launchdb up --split` bundles and runs as compose's
// platform-migrate container (which runs the same command through cli/bin/launchdb.js).
import { migratePlatform } from './migrate-platform.ts';

await migratePlatform(process.argv.slice(2));
