import { signHs256, verifyHs256 } from '@launchdb/common';

const ISSUER = 'launchdb-platform';
const AUDIENCE = 'launchdb-operators';

export interface OperatorTokenClaims {
  operatorId: string;
  email: string;
}

/** Platform JWTs for operators: HS256 under PLATFORM_JWT_SECRET, never valid as a project key. */
export class OperatorTokens {
  readonly #secret: string;
  readonly lifetimeSeconds: number;

  constructor(secret: string, lifetimeSeconds: number) {
    this.#secret = secret;
    this.lifetimeSeconds = lifetimeSeconds;
  }

  issue(claims: OperatorTokenClaims): Promise<string> {
    return signHs256(
      { email: claims.email, role: 'platform_operator' },
      { secret: this.#secret, expiresInSeconds: this.lifetimeSeconds, issuer: ISSUER, audience: AUDIENCE, subject: claims.operatorId },
    );
  }

  async verify(token: string): Promise<{ ok: true; claims: OperatorTokenClaims } | { ok: false; reason: string }> {
    const result = await verifyHs256(token, this.#secret, { issuer: ISSUER, audience: AUDIENCE });
    if (!result.ok) return { ok: false, reason: result.message };
    const { sub, email } = result.claims;
    if (typeof sub !== 'string' || typeof email !== 'string') return { ok: false, reason: 'missing claims' };
    return { ok: true, claims: { operatorId: sub, email } };
  }
}
