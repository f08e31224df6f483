/** `http://host` → `ws://host/v1/tasks/:id/ws` (and https → wss). */
export function liveSessionUrl(baseUrl: string, taskId: string): string {
  const url = new URL(`/v1/tasks/${encodeURIComponent(taskId)}/ws`, baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
