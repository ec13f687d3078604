import type { SmsSender } from './project-config.ts';

const TIMEOUT_MS = 10_000;

/**
 * One text message through the project's provider: Twilio's Messages API or Vonage's SMS API, as
 * GoTrue sends them. Throws when the provider refuses it; the message itself (it carries a code)
 * never reaches a log.
 */
export async function sendSms(sender: SmsSender, phone: string, text: string): Promise<void> {
  const to = `+${phone}`;
  if (sender.provider === 'twilio') {
    const body = new URLSearchParams({ To: to, Body: text });
    // a messaging service SID (MG…) sends from its own pool of numbers
    body.set(sender.from.startsWith('MG') ? 'MessagingServiceSid' : 'From', sender.from);
    const response = await fetch(`${sender.apiUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(sender.account)}/Messages.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${sender.account}:${sender.secret ?? ''}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`twilio answered ${response.status}: ${((await response.json().catch(() => ({}))) as { message?: string }).message ?? ''}`);
    return;
  }
  const response = await fetch(`${sender.apiUrl.replace(/\/+$/, '')}/sms/json`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ api_key: sender.account, api_secret: sender.secret ?? '', from: sender.from, to: phone, text }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const answer = (await response.json().catch(() => ({}))) as { messages?: Array<{ status?: string; 'error-text'?: string }> };
  const status = answer.messages?.[0]?.status;
  if (!response.ok || status !== '0') throw new Error(`vonage answered ${response.status}, status ${status ?? '?'}: ${answer.messages?.[0]?.['error-text'] ?? ''}`);
}

/** GoTrue's phone rule: digits only after an optional +, spaces allowed, E.164's 15 digits at most. */
export function normalizePhone(phone: string): string | undefined {
  const digits = phone.trim().replace(/^\+/, '').replace(/[\s().-]/g, '');
  return /^[1-9]\d{7,14}$/.test(digits) ? digits : undefined;
}
