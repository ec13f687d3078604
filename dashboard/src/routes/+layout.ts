// Both apps keep their sessions in the browser (supabase-js for Haven, an operator token for the
// console): the server only ever serves the shell.
export const ssr = false;
export const prerender = false;
// the apps answer at /console/ and /app/<project>/: relative links and the service worker's scope rely on the slash
export const trailingSlash = 'always';
