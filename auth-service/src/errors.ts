import { LaunchDbError } from '@launchdb/common';

/**
 * An error of the GoTrue protocol: GoTrue's `error_code`, its HTTP status and a message safe to
 * show. `oauth` marks the few errors GoTrue answers in OAuth's shape (`{error,
 * error_description}`) on `/token`; `weakPasswordReasons` rides along on weak_password.
 */
export class AuthError extends LaunchDbError {
  readonly oauth: string | undefined;
  readonly weakPasswordReasons: string[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: string, status: number, message: string, extra: { oauth?: string; weakPasswordReasons?: string[]; retryAfterSeconds?: number } = {}) {
    super(code, status, message);
    this.name = 'AuthError';
    this.oauth = extra.oauth;
    this.weakPasswordReasons = extra.weakPasswordReasons;
    this.retryAfterSeconds = extra.retryAfterSeconds;
  }
}

/** Every error the auth service answers with, worded as GoTrue words them. */
export const AuthErrors = {
  // the gateway's part, answered before GoTrue's own
  noApiKey: () => new AuthError('no_api_key', 401, 'No API key found in request'),
  invalidApiKey: () => new AuthError('invalid_api_key', 401, 'Invalid API key'),
  projectNotFound: (projectId: string) => new AuthError('project_not_found', 404, `Project ${JSON.stringify(projectId)} not found`),
  projectUnavailable: (projectId: string, retryAfterSeconds: number) =>
    new AuthError('project_unavailable', 503, `Project ${projectId} is not available`, { retryAfterSeconds }),
  platformUnavailable: () => new AuthError('unexpected_failure', 503, 'The platform database is unavailable', { retryAfterSeconds: 1 }),
  databaseUnavailable: () => new AuthError('unexpected_failure', 503, 'The project database is unavailable', { retryAfterSeconds: 1 }),

  // request shape
  badJson: (message = 'Could not parse request body as JSON') => new AuthError('bad_json', 400, message),
  validationFailed: (message: string) => new AuthError('validation_failed', 400, message),
  /** GoTrue answers some missing parameters with 422 rather than 400. */
  unprocessable: (message: string) => new AuthError('validation_failed', 422, message),
  unsupportedMediaType: () => new AuthError('validation_failed', 415, 'Unsupported Content-Type: send application/json'),
  payloadTooLarge: () => new AuthError('request_too_large', 413, 'Request body is too large'),
  notFound: () => new AuthError('not_found', 404, 'Not Found'),
  /** GoTrue's validateEmail: the same answer on sign-up, admin create, invite, generate-link, recover, otp. */
  invalidEmail: () => new AuthError('validation_failed', 400, 'Unable to validate email address: invalid format'),

  // sign-up and credentials
  signupDisabled: () => new AuthError('signup_disabled', 422, 'Signups not allowed for this instance'),
  anonymousDisabled: () => new AuthError('anonymous_provider_disabled', 422, 'Anonymous sign-ins are disabled'),
  otpSignupDisabled: () => new AuthError('otp_disabled', 422, 'Signups not allowed for otp'),
  userAlreadyExists: () => new AuthError('user_already_exists', 422, 'User already registered'),
  emailExists: () => new AuthError('email_exists', 422, 'A user with this email address has already been registered'),
  weakPassword: (message: string, reasons: string[]) => new AuthError('weak_password', 422, message, { weakPasswordReasons: reasons }),
  samePassword: () => new AuthError('same_password', 422, 'New password should be different from the old password.'),
  invalidCredentials: () => new AuthError('invalid_credentials', 400, 'Invalid login credentials'),
  emailNotConfirmed: () => new AuthError('email_not_confirmed', 400, 'Email not confirmed'),
  userBanned: () => new AuthError('user_banned', 400, 'User is banned'),

  // /token, in OAuth's shape where GoTrue keeps it
  unsupportedGrantType: () => new AuthError('unsupported_grant_type', 400, 'unsupported_grant_type', { oauth: 'unsupported_grant_type' }),
  invalidTokenRequest: (message: string) => new AuthError('validation_failed', 400, message, { oauth: 'invalid_request' }),
  refreshTokenNotFound: () => new AuthError('refresh_token_not_found', 400, 'Invalid Refresh Token: Refresh Token Not Found'),
  refreshTokenAlreadyUsed: () => new AuthError('refresh_token_already_used', 400, 'Invalid Refresh Token: Already Used'),
  sessionExpired: () => new AuthError('session_expired', 400, 'Invalid Refresh Token: Session Expired'),
  flowStateNotFound: () => new AuthError('flow_state_not_found', 404, 'invalid flow state, no valid flow state found'),
  flowStateExpired: () => new AuthError('flow_state_expired', 400, 'invalid flow state, flow state has expired'),
  badCodeVerifier: () => new AuthError('bad_code_verifier', 400, 'code challenge does not match previously saved code verifier'),

  // the caller's token
  noAuthorization: () => new AuthError('no_authorization', 401, 'This endpoint requires a valid Bearer token'),
  badJwt: (reason: string) => new AuthError('bad_jwt', 403, `invalid JWT: unable to parse or verify signature, ${reason}`),
  expiredJwt: () => new AuthError('bad_jwt', 403, 'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired'),
  notAdmin: () => new AuthError('not_admin', 403, 'User not allowed'),
  sessionNotFound: () => new AuthError('session_not_found', 403, 'Session from session_id claim in JWT does not exist'),
  userFromJwtNotFound: () => new AuthError('user_not_found', 403, 'User from sub claim in JWT does not exist'),
  userNotFound: () => new AuthError('user_not_found', 404, 'User not found'),

  // one-time tokens and redirects
  otpExpired: () => new AuthError('otp_expired', 403, 'Token has expired or is invalid'),
  emailChangeMissing: () => new AuthError('validation_failed', 422, 'Email change requires a new email address'),
  emailNotAllowed: () => new AuthError('email_address_not_authorized', 400, 'Email address not authorized'),
  smtpFailed: () => new AuthError('unexpected_failure', 500, 'Error sending email'),

  // features this service does not offer, answered as GoTrue answers them switched off
  samlDisabled: () => new AuthError('saml_provider_disabled', 404, 'SAML 2.0 is disabled'),
  manualLinkingDisabled: () => new AuthError('manual_linking_disabled', 404, 'Manual linking is disabled'),
  web3Disabled: () => new AuthError('web3_provider_disabled', 422, 'Web3 provider is disabled'),
  providerNotEnabled: () => new AuthError('validation_failed', 400, 'Unsupported provider: provider is not enabled'),
  /** A provider switched on without what it needs (GoTrue: "missing OAuth client ID", "missing OAuth secret"). */
  providerMisconfigured: (reason: string) => new AuthError('validation_failed', 400, `Unsupported provider: ${reason}`),
  /** The provider has not verified the new account's address: the user is kept, unconfirmed (GoTrue's). */
  providerEmailNeedsVerification: (provider: string) =>
    new AuthError('provider_email_needs_verification', 422, `Unverified email with ${provider}. Verify the email with ${provider} in order to sign in`),
  providerEmailConfirmationSent: (provider: string) =>
    new AuthError('provider_email_needs_verification', 422, `Unverified email with ${provider}. A confirmation email has been sent to your ${provider} email`),
  providerNotFound: (name: string) => new AuthError('validation_failed', 400, `Unsupported provider: Provider ${name} could not be found`),
  idTokenProviderDisabled: (issuer: string) => new AuthError('provider_disabled', 400, `Provider (issuer ${JSON.stringify(issuer)}) is not enabled`),
  customOidcNotAllowed: (provider: string) => new AuthError('validation_failed', 400, `Custom OIDC provider ${JSON.stringify(provider)} not allowed`),
  identityAlreadyLinked: (toAnother: boolean) =>
    new AuthError('identity_already_exists', 422, toAnother ? 'Identity is already linked to another user' : 'Identity is already linked'),
  identityIdInvalid: () => new AuthError('validation_failed', 404, 'identity_id must be an UUID'),
  singleIdentity: () => new AuthError('single_identity_not_deletable', 422, 'User must have at least 1 identity after unlinking'),
  identityNotFound: () => new AuthError('identity_not_found', 422, "Identity doesn't exist"),
  invalidPhone: () => new AuthError('validation_failed', 400, 'Invalid phone number format (E.164 required)'),
  unsupportedVerifyType: () => new AuthError('validation_failed', 400, 'Unsupported verification type'),

  // reauthentication
  reauthenticationNeedsAddress: () => new AuthError('validation_failed', 400, 'Reauthentication requires the user to have an email or a phone number'),
  verifyEmailFirst: () => new AuthError('email_not_confirmed', 422, 'Please verify your email first.'),
  reauthenticationNeeded: () => new AuthError('reauthentication_needed', 400, 'Password update requires reauthentication'),
  nonceInvalid: () => new AuthError('reauthentication_not_valid', 422, 'Nonce has expired or is invalid'),
  sentTooRecently: (seconds: number) =>
    new AuthError('over_email_send_rate_limit', 429, `For security purposes, you can only request this after ${seconds} seconds.`, { retryAfterSeconds: seconds }),

  // multi-factor authentication
  mfaEnrollDisabled: (kind: 'TOTP' | 'Phone' | 'WebAuthn') =>
    new AuthError(`mfa_${kind.toLowerCase()}_enroll_not_enabled`, 422, `MFA enroll is disabled for ${kind}`),
  mfaVerifyDisabled: (kind: 'TOTP' | 'Phone' | 'WebAuthn') =>
    new AuthError(`mfa_${kind.toLowerCase()}_verify_not_enabled`, 422, `MFA verification is disabled for ${kind}`),
  factorTypeInvalid: () => new AuthError('validation_failed', 400, 'factor_type needs to be totp, phone, or webauthn'),
  factorNameConflict: (name: string) => new AuthError('mfa_factor_name_conflict', 422, `A factor with the friendly name ${JSON.stringify(name)} for this user already exists`),
  tooManyFactors: () => new AuthError('too_many_enrolled_mfa_factors', 422, 'Maximum number of verified factors reached, unenroll to continue'),
  aal2RequiredToEnroll: () => new AuthError('insufficient_aal', 403, 'AAL2 required to enroll a new factor'),
  aal2RequiredToUnenroll: () => new AuthError('insufficient_aal', 422, 'AAL2 required to unenroll verified factor'),
  factorIdInvalid: () => new AuthError('validation_failed', 404, 'factor_id must be an UUID'),
  factorNotFound: () => new AuthError('mfa_factor_not_found', 404, 'Factor not found'),
  challengeNotFound: () => new AuthError('mfa_factor_not_found', 422, 'MFA factor with the provided challenge ID not found'),
  challengeIpMismatch: () => new AuthError('mfa_ip_address_mismatch', 422, 'Challenge and verify IP addresses mismatch.'),
  challengeExpired: (id: string) =>
    new AuthError('mfa_challenge_expired', 422, `MFA challenge ${id} has expired, verify against another challenge or create a new challenge.`),
  totpCodeInvalid: () => new AuthError('mfa_verification_failed', 422, 'Invalid TOTP code entered'),
  mfaSessionRequired: () => new AuthError('session_not_found', 403, 'A valid session and a registered user are required to use MFA'),

  rateLimited: (retryAfterSeconds: number) =>
    new AuthError('over_request_rate_limit', 429, 'Request rate limit reached', { retryAfterSeconds }),
  emailRateLimited: (retryAfterSeconds: number) =>
    new AuthError('over_email_send_rate_limit', 429, 'Email rate limit exceeded', { retryAfterSeconds }),

  internal: () => new AuthError('unexpected_failure', 500, 'Unexpected failure, please check server logs for more information'),
};

/** The version of GoTrue's error shape auth-js asks for (header `X-Supabase-Api-Version`). */
export const API_VERSION_HEADER = 'x-supabase-api-version';
export const API_VERSION_2024_01_01 = '2024-01-01';

export interface RenderedAuthError {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * GoTrue's renderer: OAuth errors as `{error, error_description}`; the others as `{code,
 * message}` when the caller sent `X-Supabase-Api-Version: 2024-01-01` or later, else as the
 * older `{code: <status>, error_code, msg}`. `x-sb-error-code` names the code either way.
 */
export function renderAuthError(error: AuthError, requestedApiVersion: string | undefined): RenderedAuthError {
  const headers: Record<string, string> = { 'x-sb-error-code': error.code };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error.status === 413) headers['connection'] = 'close';
  if (error.oauth !== undefined) {
    return { status: error.status, headers, body: { error: error.oauth, error_description: error.message } };
  }
  const weak = error.weakPasswordReasons !== undefined ? { weak_password: { reasons: error.weakPasswordReasons } } : {};
  if (requestedApiVersion !== undefined && isAtLeast20240101(requestedApiVersion)) {
    return { status: error.status, headers, body: { code: error.code, message: error.message, ...weak } };
  }
  return { status: error.status, headers, body: { code: error.status, error_code: error.code, msg: error.message, ...weak } };
}

function isAtLeast20240101(version: string): boolean {
  // GoTrue picks the closest known version at or before the one asked for; an unparsable one is the oldest
  return /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= API_VERSION_2024_01_01;
}
