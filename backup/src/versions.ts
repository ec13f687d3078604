import { createRequire } from 'node:module';
import { config } from 'openpgp';

const require = createRequire(import.meta.url);

/** `6.3.2`, from openpgp's own version string (its package.json is not exported). */
export const OPENPGP_VERSION: string = config.versionString.replace(/^OpenPGP\.js v?/, '');
export const LAUNCHDB_VERSION: string = (require('../package.json') as { version: string }).version;
