import type { FastifyInstance } from 'fastify';
import type { AuthRouteDependencies } from '../plugin.ts';
import { adminGenerateLinkRoute } from './admin/generate-link.ts';
import { adminUserDeleteRoute } from './admin/user-delete.ts';
import { adminUserGetRoute } from './admin/user-get.ts';
import { adminUserUpdateRoute } from './admin/user-update.ts';
import { adminUsersCreateRoute } from './admin/users-create.ts';
import { adminUsersListRoute } from './admin/users-list.ts';
import { healthRoute } from './health.ts';
import { inviteRoute } from './invite.ts';
import { logoutRoute } from './logout.ts';
import { otpRoute } from './otp.ts';
import { recoverRoute } from './recover.ts';
import { resendRoute } from './resend.ts';
import { settingsRoute } from './settings.ts';
import { signupRoute } from './signup.ts';
import { tokenRoute } from './token.ts';
import { userGetRoute } from './user-get.ts';
import { userUpdateRoute } from './user-update.ts';
import { verifyGetRoute } from './verify-get.ts';
import { verifyPostRoute } from './verify-post.ts';

/** Every GoTrue endpoint the service offers, registered in the scope of one prefix. */
export function authRoutes(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  healthRoute(scope);
  settingsRoute(scope);
  signupRoute(scope, deps);
  tokenRoute(scope, deps);
  userGetRoute(scope);
  userUpdateRoute(scope, deps);
  logoutRoute(scope);
  recoverRoute(scope, deps);
  otpRoute(scope, deps);
  verifyPostRoute(scope, deps);
  verifyGetRoute(scope, deps);
  resendRoute(scope, deps);
  inviteRoute(scope, deps);
  adminUsersListRoute(scope);
  adminUsersCreateRoute(scope);
  adminUserGetRoute(scope);
  adminUserUpdateRoute(scope);
  adminUserDeleteRoute(scope);
  adminGenerateLinkRoute(scope);
}
