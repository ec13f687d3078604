/**
 * What an API error means to a homeowner. Raw codes never reach the screen: each known code
 * (GoTrue's error_code, PostgREST's SQLSTATE or PGRST code, Storage's error) has a sentence, and
 * an RPC's own message (raised by Haven's functions for bad arguments) is already written for people.
 */
export interface ApiErrorLike {
  code?: string | null;
  error_code?: string | null;
  status?: number | null;
  message?: string | null;
  name?: string | null;
}

const AUTH_WORDS: Record<string, string> = {
  invalid_credentials: 'That email and password don’t match. Check them and try again.',
  email_not_confirmed: 'Confirm your email address first: open the link we sent you.',
  user_already_exists: 'There is already an account with that email. Sign in instead.',
  email_exists: 'There is already an account with that email. Sign in instead.',
  weak_password: 'Choose a longer password: at least 8 characters.',
  over_request_rate_limit: 'Too many attempts. Wait a minute and try again.',
  over_email_send_rate_limit: 'We just sent you an email. Wait a little before asking for another.',
  signup_disabled: 'New accounts can’t be created here. Ask the person who runs this Haven.',
  validation_failed: 'Check the email address: it doesn’t look right.',
  email_address_invalid: 'Check the email address: it doesn’t look right.',
  same_password: 'Choose a password different from your current one.',
  session_not_found: 'Your session has ended. Sign in again.',
  otp_expired: 'That link has expired. Ask for a new one.',
};

const DATABASE_WORDS: Record<string, string> = {
  '42501': 'You don’t have permission to do that in this home.',
  P0002: 'That no longer exists. It may have been removed by someone else in your household.',
  '23505': 'That already exists.',
  '23503': 'That refers to something that no longer exists.',
  '23514': 'Some of what you entered isn’t allowed. Check the values and try again.',
  '22P02': 'Some of what you entered isn’t in the right format.',
  PGRST301: 'Your session has ended. Sign in again.',
  PGRST303: 'Your session has ended. Sign in again.',
};

export function inWords(error: unknown): string {
  if (error === null || error === undefined) return 'Something went wrong. Try again.';
  if (typeof error === 'string') return error;
  const e = error as ApiErrorLike;
  if (e.name === 'AuthRetryableFetchError' || e.message === 'Failed to fetch' || e.message?.includes('NetworkError') || e.status === 0) {
    return 'You seem to be offline. Nothing was lost: try again when you are back online.';
  }
  const code = e.error_code ?? e.code ?? undefined;
  if (code && AUTH_WORDS[code]) return AUTH_WORDS[code];
  // Haven's functions raise 22023 with a message meant for the person who made the request
  if (code === '22023' && e.message) return sentence(e.message);
  if (code && DATABASE_WORDS[code]) return DATABASE_WORDS[code];
  if (e.status === 429) return 'Too many attempts. Wait a minute and try again.';
  if (e.status === 413) return 'That file is too large.';
  if (typeof e.status === 'number' && e.status >= 500) return 'Haven is having trouble right now. Try again in a moment.';
  return 'Something went wrong. Try again.';
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
