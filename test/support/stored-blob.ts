/**
 * Deletes one output's bytes from the app's blob store, leaving its record: a reload must then
 * list the output as one without bytes. Self-contained (no imports, no closures), so the same
 * function runs under vitest's IndexedDB and, through `page.evaluate`, in Chromium.
 */
export function deleteStoredBlob({ database, id }: { database: string; id: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(database);
    open.onsuccess = () => {
      const tx = open.result.transaction('blobs', 'readwrite');
      tx.objectStore('blobs').delete(id);
      tx.oncomplete = () => {
        open.result.close();
        resolve();
      };
      tx.onerror = () => reject(new Error(String(tx.error)));
    };
    open.onerror = () => reject(new Error(String(open.error)));
  });
}
