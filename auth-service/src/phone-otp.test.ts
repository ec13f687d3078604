import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeProjectAuthSettings, type ProjectAuthSettings } from '@launchdb/common/auth-settings';
import type { ServiceTestProject } from '../../test/service-projects.ts';
import { reservePort } from '../../test/ports.ts';
import { startAuthTestbed, type AuthTestbed } from './testing/auth-testbed.ts';

interface SentSms {
  api: 'twilio' | 'vonage';
  to: string;
  text: string;
  from: string;
  credentials: string;
}

/** Twilio's Messages API and Vonage's SMS API, as far as sending one message goes. */
async function startSmsApis(): Promise<{ url: string; sent: SentSms[]; close: () => Promise<void> }> {
  const sent: SentSms[] = [];
  const port = await reservePort();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      const twilio = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(request.url ?? '');
      if (request.method === 'POST' && twilio) {
        sent.push({ api: 'twilio', to: form.get('To')!, text: form.get('Body')!, from: form.get('From') ?? form.get('MessagingServiceSid')!, credentials: Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString() });
        response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: `SM${sent.length}`, status: 'queued' }));
      } else if (request.method === 'POST' && request.url === '/sms/json') {
        sent.push({ api: 'vonage', to: form.get('to')!, text: form.get('text')!, from: form.get('from')!, credentials: `${form.get('api_key')}:${form.get('api_secret')}` });
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ 'message-count': '1', messages: [{ status: '0', 'message-id': `v${sent.length}` }] }));
      } else {
        response.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, sent, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const codeOf = (sms: SentSms | undefined) => /(\d{6})/.exec(sms?.text ?? '')![1]!;
let numbers = 0;
/** A fresh number in the fictional 555-01xx range, written as people type it. */
const newPhone = () => `+1 555 555 ${String(100 + (numbers += 1)).padStart(4, '0')}`;
const digitsOf = (phone: string) => phone.replace(/\D/g, '');

describe('auth-service: phone sign-up and sign-in with SMS codes (Twilio and Vonage), through auth-js', () => {
  let apis: Awaited<ReturnType<typeof startSmsApis>>;
  let bed: AuthTestbed;
  let project: ServiceTestProject;

  const setUp = async (settings: ProjectAuthSettings, secret: string): Promise<ServiceTestProject> => {
    const created = await bed.createProject();
    await writeProjectAuthSettings(bed.services.platformDb, bed.services.secrets, created.id, { settings, sms_secret: secret });
    bed.app.auth.forget(created.id);
    return created;
  };
  const lastTo = (phone: string) => [...apis.sent].reverse().find((sms) => sms.to === `+${digitsOf(phone)}` || sms.to === digitsOf(phone));

  beforeAll(async () => {
    apis = await startSmsApis();
    bed = await startAuthTestbed({ smsApiUrls: { twilio: apis.url, vonage: apis.url } });
    project = await setUp({ external_phone_enabled: true, sms: { provider: 'twilio', account: 'AC123', from: '+15550009999' } }, 'twilio-auth-token');
  });
  afterAll(async () => {
    await bed?.close();
    await apis?.close();
  });

  it('signs in with a code by SMS: the number normalised to E.164, the code good once', async () => {
    const phone = newPhone();
    const auth = bed.client(project);
    expect((await auth.signInWithOtp({ phone })).error).toBeNull();
    const sms = lastTo(phone);
    expect(sms).toMatchObject({ api: 'twilio', to: `+${digitsOf(phone)}`, from: '+15550009999', credentials: 'AC123:twilio-auth-token' });
    expect(sms!.text).toMatch(/^Your code is \d{6}$/);

    expect((await auth.verifyOtp({ phone, token: codeOf(sms) === '000000' ? '111111' : '000000', type: 'sms' })).error).toMatchObject({ status: 403, code: 'otp_expired' });
    const verified = await auth.verifyOtp({ phone, token: codeOf(sms), type: 'sms' });
    expect(verified.error).toBeNull();
    expect(verified.data.user).toMatchObject({ phone: digitsOf(phone), app_metadata: { provider: 'phone' } });
    expect(verified.data.user!.phone_confirmed_at).toBeTruthy();
    expect((await bed.client(project).verifyOtp({ phone, token: codeOf(sms), type: 'sms' })).error).toMatchObject({ status: 403, code: 'otp_expired' });

    // one code a minute per number
    expect((await auth.signInWithOtp({ phone })).error).toMatchObject({ status: 429, code: 'over_sms_send_rate_limit' });
  });

  it('signs up with a phone and a password, confirmed by the SMS code', async () => {
    const phone = newPhone();
    const auth = bed.client(project);
    const signedUp = await auth.signUp({ phone, password: 'phone password' });
    expect(signedUp.error).toBeNull();
    expect(signedUp.data.session).toBeNull();
    expect((await auth.signInWithPassword({ phone, password: 'phone password' })).error).toMatchObject({ status: 400, code: 'phone_not_confirmed' });
    expect((await auth.verifyOtp({ phone, token: codeOf(lastTo(phone)), type: 'sms' })).error).toBeNull();
    const signedIn = await bed.client(project).signInWithPassword({ phone, password: 'phone password' });
    expect(signedIn.error).toBeNull();
    expect(signedIn.data.user!.identities).toEqual([expect.objectContaining({ provider: 'phone' })]);
  });

  it('changes the phone number once the code sent to the new one comes back', async () => {
    const phone = newPhone();
    const auth = bed.client(project);
    await auth.signUp({ email: `phone-change-${numbers}@example.com`, password: 'valid password' });
    expect((await auth.updateUser({ phone })).error).toBeNull();
    expect((await auth.getUser()).data.user).toMatchObject({ phone: '' });
    const changed = await auth.verifyOtp({ phone, token: codeOf(lastTo(phone)), type: 'phone_change' });
    expect(changed.error).toBeNull();
    expect(changed.data.user).toMatchObject({ phone: digitsOf(phone) });
    expect(changed.data.user!.phone_confirmed_at).toBeTruthy();
  });

  it('sends through Vonage when the project says so, and refuses phones where phone sign-in is off', async () => {
    const vonage = await setUp({ external_phone_enabled: true, sms: { provider: 'vonage', account: 'vonage-key', from: 'LaunchDB' } }, 'vonage-secret');
    const phone = newPhone();
    expect((await bed.client(vonage).signInWithOtp({ phone })).error).toBeNull();
    expect(lastTo(phone)).toMatchObject({ api: 'vonage', to: digitsOf(phone), from: 'LaunchDB', credentials: 'vonage-key:vonage-secret' });

    const off = await bed.createProject();
    expect((await bed.client(off).signInWithOtp({ phone: newPhone() })).error).toMatchObject({ status: 422, code: 'phone_provider_disabled' });
    expect((await bed.client(project).signInWithOtp({ phone: '12' })).error).toMatchObject({ status: 400, code: 'validation_failed' });
  });
});
