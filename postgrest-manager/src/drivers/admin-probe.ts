/**
 * One GET to a data API's admin server (`/live` or `/ready`, as PostgREST's): true on 200.
 * A refused connection, another status or no answer within the timeout are all false.
 */
export async function probeAdminServer(adminUrl: string, check: 'live' | 'ready', timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(`${adminUrl}/${check}`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}
