import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashPassword, projectNames, withClient, withDatabase } from '@launchdb/common';
import { PlatformErrors } from '../../errors.ts';
import { APP_TEMPLATES_FOLDER } from './project-templates.ts';

/** The only template with demo data. */
export const HAVEN_DEMO_TEMPLATE = 'haven';
export const HAVEN_DEMO_EMAIL = 'demo@haven.local';
const HAVEN_DEMO_SQL = join(APP_TEMPLATES_FOLDER, HAVEN_DEMO_TEMPLATE, 'demo.sql');

export interface HavenDemoLogin {
  email: string;
  password: string;
}

export interface HavenDemoOptions {
  /** A superuser URL, direct (never PgBouncer): the seed switches to the demo user's role. */
  adminUrl: string;
  /** The seed's SQL; the haven template's `demo.sql` unless a test says otherwise. */
  sqlFile?: string;
}

/**
 * Haven's demo homeowner: an account that can sign in at once, with a house, zones, a dozen
 * assets and a year of logs (`postgres/templates/haven/demo.sql`). The password is random and
 * known only to the caller of `seed`, which hands it to the operator once.
 */
export class HavenDemo {
  readonly #options: HavenDemoOptions;

  constructor(options: HavenDemoOptions) {
    this.#options = options;
  }

  /** One transaction in the project's database: all of the demo, or none of it. */
  async seed(projectId: string): Promise<HavenDemoLogin> {
    const password = randomBytes(18).toString('base64url');
    const [passwordHash, sql] = await Promise.all([hashPassword(password), readFile(this.#options.sqlFile ?? HAVEN_DEMO_SQL, 'utf8')]);
    await withClient(withDatabase(this.#options.adminUrl, projectNames(projectId).database), async (client) => {
      await client.query('begin');
      try {
        await client.query(`select set_config('haven_demo.password_hash', $1, true)`, [passwordHash]);
        // no parameters: the simple protocol runs the file as written
        await client.query(sql);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        if ((error as { constraint?: string }).constraint === 'users_email_partial_key') throw PlatformErrors.havenDemoExists(projectId, HAVEN_DEMO_EMAIL);
        throw PlatformErrors.havenDemoFailed(projectId, (error as Error).message);
      }
    });
    return { email: HAVEN_DEMO_EMAIL, password };
  }
}
