/**
 * What a download's headers say about its content, so that a file a user uploaded never runs
 * as a page of the origin that serves it (the dashboard's, too).
 */

/** Types a browser runs script in when it opens them: pages, SVG, XML (an XHTML document), scripts. */
function isActive(essence: string): boolean {
  return (
    essence === 'text/html' ||
    essence === 'image/svg+xml' ||
    essence === 'application/xhtml+xml' ||
    essence === 'text/xml' ||
    essence === 'application/xml' ||
    essence === 'text/xsl' ||
    essence.endsWith('+xml') ||
    /(^|\/)(x-)?(java|ecma)script$/.test(essence)
  );
}

/**
 * The Content-Type and the headers a stored object is served with. As Supabase Storage, an
 * HTML file is answered as `text/plain`. Every download carries `nosniff` (a text file is never
 * guessed into a page), and every active type a `sandbox` policy: opened on its own or framed,
 * it gets a unique origin and no script runs. `asStored` keeps HTML's own type (S3 clients copy
 * objects and expect the type they stored; the sandbox still applies).
 */
export function downloadHeaders(storedContentType: string, options: { asStored?: boolean } = {}): Record<string, string> {
  const essence = storedContentType.split(';')[0]!.trim().toLowerCase();
  const headers: Record<string, string> = {
    'content-type': essence === 'text/html' && options.asStored !== true ? 'text/plain' : storedContentType,
    'x-content-type-options': 'nosniff',
  };
  if (isActive(essence)) headers['content-security-policy'] = 'sandbox';
  return headers;
}
