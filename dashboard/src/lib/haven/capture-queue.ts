/**
 * Captures made without a network wait in IndexedDB (files included, as Blobs) and are sent when
 * the network returns; each keeps the id it was given when made, so a send that was cut off and
 * retried inserts the row once.
 */
export interface QueuedCapture {
  id: string;
  projectId: string;
  kind: 'photo' | 'voice' | 'text';
  propertyId: string | null;
  body: string | null;
  file: Blob | null;
  fileName: string | null;
  createdAt: number;
}

const DB_NAME = 'haven-captures';
const STORE = 'queue';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = run(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

export const captureQueue = {
  add: (capture: QueuedCapture) => withStore('readwrite', (store) => store.put(capture)).then(() => undefined),
  remove: (id: string) => withStore('readwrite', (store) => store.delete(id)).then(() => undefined),
  async list(projectId: string): Promise<QueuedCapture[]> {
    const all = (await withStore('readonly', (store) => store.getAll())) as QueuedCapture[];
    return all.filter((capture) => capture.projectId === projectId).sort((a, b) => a.createdAt - b.createdAt);
  },
};

/** A failure worth queueing for later: the network, not a refusal by the server. */
export function isNetworkFailure(error: unknown): boolean {
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return true;
  const e = error as { name?: string; message?: string; status?: number } | null;
  return !!e && (e.name === 'TypeError' || e.name === 'StorageUnknownError' || e.message === 'Failed to fetch' || e.status === 0 || /network|fetch/i.test(e.message ?? ''));
}

/** Where a capture's file goes in the captures bucket: the creator's own folder, as its policy requires. */
export function capturePath(userId: string, captureId: string, fileName: string | null, kind: 'photo' | 'voice'): string {
  const extension = fileName?.match(/\.([a-z0-9]{1,8})$/i)?.[1]?.toLowerCase() ?? (kind === 'photo' ? 'jpg' : 'webm');
  return `${userId}/${captureId}.${extension}`;
}
