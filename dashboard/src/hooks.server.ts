import type { Handle, HandleServerError } from '@sveltejs/kit';

/** `/` is nobody's page: operators land on the console, homeowners come by their app's own link. */
export const handle: Handle = async ({ event, resolve }) => {
  if (event.url.pathname === '/') return new Response(null, { status: 307, headers: { location: '/console/' } });
  return resolve(event);
};

/** A path that does not exist is the visitor's mistake, not ours: only real failures are logged. */
export const handleError: HandleServerError = ({ error, status, message }) => {
  if (status >= 500) console.error(JSON.stringify({ level: 'error', msg: 'dashboard request failed', err: String((error as Error)?.stack ?? error) }));
  return { message };
};
