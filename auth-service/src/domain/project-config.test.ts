import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidAuthSettingsError, readProjectAuthSettings, readProjectSmtpPassword, writeProjectAuthSettings } from '@launchdb/common/auth-settings';
import { createServiceTestbed, type ServiceTestbed, type ServiceTestProject } from '../../../test/service-projects.ts';
import { defaultAuthServiceSettings } from '../config.ts';
import { ProjectConfigs } from './project-config.ts';

describe("a project's auth settings over the platform defaults", () => {
  let bed: ServiceTestbed;
  let project: ServiceTestProject;

  beforeAll(async () => {
    bed = await createServiceTestbed();
    project = await bed.createProject();
  });
  afterAll(async () => bed?.close());

  it('follows the platform until the project says otherwise, and again once a setting is removed', async () => {
    const configs = new ProjectConfigs(bed.platformDb, bed.secrets, defaultAuthServiceSettings({ jwtExp: 900, settingsCacheMs: 60_000 }));
    expect((await configs.get(project.id)).jwtExp).toBe(900);

    await writeProjectAuthSettings(bed.platformDb, bed.secrets, project.id, { settings: { jwt_exp: 120, rate_limits: { otp_per_ip: 5 }, mailer_templates: { recovery: { subject: 'Reset' } } } });
    // cached until forgotten
    expect((await configs.get(project.id)).jwtExp).toBe(900);
    configs.forget(project.id);
    const own = await configs.get(project.id);
    expect(own.jwtExp).toBe(120);
    expect(own.rateLimits).toMatchObject({ otp_per_ip: 5, token_per_ip: 300 });
    expect(own.templates.recovery).toMatchObject({ subject: 'Reset', content: expect.stringContaining('{{ .ConfirmationURL }}') });

    // a merge patch: nested objects merge, null removes
    const stored = await writeProjectAuthSettings(bed.platformDb, bed.secrets, project.id, { settings: { jwt_exp: null, rate_limits: { verify_per_ip: 7 } } });
    expect(stored.settings).toEqual({ rate_limits: { otp_per_ip: 5, verify_per_ip: 7 }, mailer_templates: { recovery: { subject: 'Reset' } } });
    configs.forget(project.id);
    expect((await configs.get(project.id)).jwtExp).toBe(900);
  });

  it('refuses invalid settings whole', async () => {
    const before = await readProjectAuthSettings(bed.platformDb, project.id);
    await expect(writeProjectAuthSettings(bed.platformDb, bed.secrets, project.id, { settings: { jwt_exp: 5, site_url: 'ftp://nope' } })).rejects.toBeInstanceOf(InvalidAuthSettingsError);
    await expect(writeProjectAuthSettings(bed.platformDb, bed.secrets, project.id, { settings: { no_such_setting: true } })).rejects.toBeInstanceOf(InvalidAuthSettingsError);
    expect(await readProjectAuthSettings(bed.platformDb, project.id)).toEqual(before);
  });

  it('keeps the SMTP password encrypted as a project secret, set and cleared apart from the settings', async () => {
    await writeProjectAuthSettings(bed.platformDb, bed.secrets, project.id, {
      settings: { smtp: { host: 'smtp.example', port: 465, user: 'mailer', sender_email: 'auth@example.com' } },
      smtp_password: 'hunter2',
    });
    const stored = await readProjectAuthSettings(bed.platformDb, project.id);
    expect(stored.smtpPasswordSet).toBe(true);
    expect(JSON.stringify(stored)).not.toContain('hunter2');
    const { rows } = await bed.platformDb.query<{ ciphertext: string }>("select ciphertext from platform.secrets where project_id = $1 and name = 'smtp_password'", [project.id]);
    expect(rows[0]!.ciphertext).not.toContain('hunter2');
    expect(await readProjectSmtpPassword(bed.platformDb, bed.secrets, project.id)).toBe('hunter2');

    const configs = new ProjectConfigs(bed.platformDb, bed.secrets, defaultAuthServiceSettings());
    expect((await configs.get(project.id)).smtp).toMatchObject({ host: 'smtp.example', port: 465, secure: true, user: 'mailer', pass: 'hunter2' });

    await writeProjectAuthSettings(bed.platformDb, bed.secrets, project.id, { smtp_password: 'rotated' });
    expect(await readProjectSmtpPassword(bed.platformDb, bed.secrets, project.id)).toBe('rotated');
    await writeProjectAuthSettings(bed.platformDb, bed.secrets, project.id, { smtp_password: null });
    expect((await readProjectAuthSettings(bed.platformDb, project.id)).smtpPasswordSet).toBe(false);
  });
});
