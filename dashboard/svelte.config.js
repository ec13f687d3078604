import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    // DASHBOARD_ORIGIN, DASHBOARD_BODY_SIZE_LIMIT…: adapter-node's settings, apart from the platform's own
    adapter: adapter({ out: 'build', precompress: true, envPrefix: 'DASHBOARD_' }),
    // the platform's port also answers /api, /db, /p, /auth and /storage: the dashboard's own assets
    // live under a name none of them uses
    appDir: '_dashboard',
  },
};
