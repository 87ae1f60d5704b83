// Shared editor code: it runs in the browser when files are dropped on the editor.
export async function handleDrop(event: DragEvent, endpoint: string): Promise<unknown[]> {
  const files = Array.from(event.dataTransfer?.files ?? []);
  // ok: unbounded-fan-out -- the browser uploading the files the user dropped
  return Promise.all(files.map((file) => fetch(endpoint, { method: 'POST', body: file }).then((r) => r.json())));
}
