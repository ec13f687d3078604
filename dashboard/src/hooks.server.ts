import type { Handle } from '@sveltejs/kit';

/** `/` is nobody's page: operators land on the console, homeowners come by their app's own link. */
export const handle: Handle = async ({ event, resolve }) => {
  if (event.url.pathname === '/') return new Response(null, { status: 307, headers: { location: '/console/' } });
  return resolve(event);
};
