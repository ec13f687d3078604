export { authenticate, bearerToken, type AuthConfig, type AuthResult, type RequestHeaders } from './authenticate.ts';
