import type { RequestHandler } from './$types';

/** Each Haven is installable as its own app: its start URL and scope are its project's. */
export const GET: RequestHandler = ({ params }) => {
  const base = `/app/${encodeURIComponent(params.project)}/`;
  return new Response(
    JSON.stringify({
      name: 'Haven',
      short_name: 'Haven',
      description: 'Keep track of your home: what is in it, what it needs and when.',
      id: base,
      start_url: base,
      scope: base,
      display: 'standalone',
      background_color: '#f6f7f9',
      theme_color: '#1f6f4a',
      icons: [
        { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
      ],
    }),
    { headers: { 'content-type': 'application/manifest+json', 'cache-control': 'no-cache' } },
  );
};
