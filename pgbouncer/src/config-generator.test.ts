import { describe, expect, it } from 'vitest';
import { renderPgBouncerIni, renderUserlist } from './config-generator.ts';
import type { PgBouncerSettings } from './settings.ts';

const settings: PgBouncerSettings = {
  listenAddress: '127.0.0.1',
  listenPort: 6432,
  authFile: '/var/lib/launchdb/pgbouncer/userlist.txt',
  logFile: '/var/lib/launchdb/pgbouncer/pgbouncer.log',
  pidFile: '/var/lib/launchdb/pgbouncer/pgbouncer.pid',
  unixSocketDir: '',
  adminUsers: ['launchdb_admin'],
  statsUsers: ['launchdb_stats', 'monitor'],
  databases: [
    { alias: 'proj_a1', host: '127.0.0.1', port: 5432, dbname: 'proj_a1' },
    { alias: 'platform', host: 'db.internal', port: 5433, dbname: 'launchdb_platform', poolSize: 4 },
  ],
  maxClientConn: 500,
  defaultPoolSize: 10,
};

function settingLines(ini: string): Map<string, string> {
  const entries = ini
    .split('\n')
    .filter((line) => line.includes('='))
    .map((line) => {
      const [key, ...rest] = line.split('=');
      return [key!.trim(), rest.join('=').trim()] as const;
    });
  return new Map(entries);
}

describe('renderPgBouncerIni', () => {
  it('renders the databases and the fixed pooling policy', () => {
    const ini = renderPgBouncerIni(settings);
    const lines = ini.split('\n');
    expect(lines).toContain('[databases]');
    expect(lines).toContain('proj_a1 = host=127.0.0.1 port=5432 dbname=proj_a1');
    expect(lines).toContain('platform = host=db.internal port=5433 dbname=launchdb_platform pool_size=4');
    expect(lines.indexOf('[databases]')).toBeLessThan(lines.indexOf('[pgbouncer]'));

    const values = settingLines(ini.slice(ini.indexOf('[pgbouncer]')));
    expect(Object.fromEntries(values)).toEqual({
      listen_addr: '127.0.0.1',
      listen_port: '6432',
      unix_socket_dir: '',
      auth_type: 'scram-sha-256',
      auth_file: settings.authFile,
      logfile: settings.logFile,
      pidfile: settings.pidFile,
      admin_users: 'launchdb_admin',
      stats_users: 'launchdb_stats,monitor',
      pool_mode: 'transaction',
      server_reset_query: '',
      ignore_startup_parameters: 'extra_float_digits,options',
      server_idle_timeout: '60',
      max_client_conn: '500',
      default_pool_size: '10',
    });
  });

  it('keeps a Unix socket folder and a list of listen addresses', () => {
    const values = settingLines(renderPgBouncerIni({ ...settings, unixSocketDir: '/run/launch db', listenAddress: '127.0.0.1, ::1' }));
    expect(values.get('unix_socket_dir')).toBe('/run/launch db');
    expect(values.get('listen_addr')).toBe('127.0.0.1,::1');
    expect(settingLines(renderPgBouncerIni({ ...settings, listenAddress: '*' })).get('listen_addr')).toBe('*');
  });

  it('renders an empty databases section', () => {
    expect(renderPgBouncerIni({ ...settings, databases: [] })).toMatch(/\[databases\]\n\n\[pgbouncer\]/);
  });

  it.each([
    ['an alias with a space', { databases: [{ alias: 'a b', host: 'h', port: 1, dbname: 'd' }] }, /database alias/],
    ['an alias ending the line', { databases: [{ alias: 'a\nlisten_port = 1', host: 'h', port: 1, dbname: 'd' }] }, /database alias/],
    ['an alias starting with a digit', { databases: [{ alias: '1a', host: 'h', port: 1, dbname: 'd' }] }, /database alias/],
    ['an alias of 64 characters', { databases: [{ alias: 'a'.repeat(64), host: 'h', port: 1, dbname: 'd' }] }, /database alias/],
    ['the admin console alias', { databases: [{ alias: 'pgbouncer', host: 'h', port: 1, dbname: 'd' }] }, /reserved/],
    ['the same alias twice', { databases: [{ alias: 'a', host: 'h', port: 1, dbname: 'd' }, { alias: 'a', host: 'h', port: 2, dbname: 'e' }] }, /twice/],
    ['a dbname with a key of its own', { databases: [{ alias: 'a', host: 'h', port: 1, dbname: 'd user=postgres' }] }, /dbname of alias a/],
    ['a host with a space', { databases: [{ alias: 'a', host: 'h user=postgres', port: 1, dbname: 'd' }] }, /host of alias a/],
    ['a host with a line break', { databases: [{ alias: 'a', host: 'h\n[pgbouncer]', port: 1, dbname: 'd' }] }, /host of alias a/],
    ['a host with a quote', { databases: [{ alias: 'a', host: "h'", port: 1, dbname: 'd' }] }, /host of alias a/],
    ['a fractional port', { databases: [{ alias: 'a', host: 'h', port: 5432.5, dbname: 'd' }] }, /port of alias a/],
    ['port 0', { databases: [{ alias: 'a', host: 'h', port: 0, dbname: 'd' }] }, /port of alias a/],
    ['a pool size of 0', { databases: [{ alias: 'a', host: 'h', port: 1, dbname: 'd', poolSize: 0 }] }, /poolSize of alias a/],
    ['a listen port above 65535', { listenPort: 70000 }, /listenPort/],
    ['a listen address with a line break', { listenAddress: '127.0.0.1\nauth_type = trust' }, /listenAddress/],
    ['an empty listen address', { listenAddress: '' }, /listenAddress/],
    ['an admin user with a comma', { adminUsers: ['a,b'] }, /admin user/],
    ['a stats user with a line break', { statsUsers: ['a\nb'] }, /stats user/],
    ['a relative auth file', { authFile: 'userlist.txt' }, /authFile/],
    ['a home-relative log file', { logFile: '~/pgbouncer.log' }, /logFile/],
    ['a pid file with a line break', { pidFile: '/tmp/p.pid\nauth_type = trust' }, /pidFile/],
    ['a socket folder with a trailing space', { unixSocketDir: '/tmp ' }, /unixSocketDir/],
    ['a pool size of 1.5', { defaultPoolSize: 1.5 }, /defaultPoolSize/],
    ['no client connections', { maxClientConn: 0 }, /maxClientConn/],
  ] as Array<[string, Partial<PgBouncerSettings>, RegExp]>)('refuses %s', (_, change, message) => {
    expect(() => renderPgBouncerIni({ ...settings, ...change })).toThrow(message);
  });

  it('writes no log file and no pid file when both are empty (PgBouncer in the foreground of a container)', () => {
    const values = Object.fromEntries(settingLines(renderPgBouncerIni({ ...settings, logFile: '', pidFile: '' })));
    expect([values.logfile, values.pidfile]).toEqual(['', '']);
  });
});

describe('renderUserlist', () => {
  it('quotes each field and doubles quotes inside it', () => {
    expect(
      renderUserlist([
        { name: 'app', secret: 'SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy' },
        { name: 'we"ird', secret: 'pa"ss' },
      ]),
    ).toBe('"app" "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy"\n"we""ird" "pa""ss"\n');
  });

  it('renders nothing for no users', () => {
    expect(renderUserlist([])).toBe('');
  });

  it.each([
    ['a line break in a name', [{ name: 'a\n"admin"', secret: 's' }], /user name/],
    ['a carriage return in a secret', [{ name: 'a', secret: 's\r' }], /secret of user a/],
    ['an empty name', [{ name: '', secret: 's' }], /empty user name/],
    ['the same user twice', [{ name: 'a', secret: 's' }, { name: 'a', secret: 't' }], /twice/],
  ])('refuses %s', (_, users, message) => {
    expect(() => renderUserlist(users)).toThrow(message);
  });
});
