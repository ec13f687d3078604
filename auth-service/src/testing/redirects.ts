/** A browser: follows redirects with its own cookies until `stop` says the location is where it ends. */
export async function browse(start: string, stop: (location: URL) => boolean): Promise<URL> {
  const cookies = new Map<string, string>();
  let url = new URL(start);
  for (let hop = 0; hop < 20; hop += 1) {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      if (value.join('=') === '') cookies.delete(name!.trim());
      else cookies.set(name!.trim(), value.join('='));
    }
    const location = response.headers.get('location');
    if (location === null) throw new Error(`${url} answered ${response.status} without a redirect: ${await response.text()}`);
    url = new URL(location, url);
    if (stop(url)) return url;
  }
  throw new Error('too many redirects');
}

/** What a redirect carries, in its query and its fragment alike. */
export const paramsOf = (url: URL): Record<string, string> => ({ ...Object.fromEntries(url.searchParams), ...Object.fromEntries(new URLSearchParams(url.hash.slice(1))) });
