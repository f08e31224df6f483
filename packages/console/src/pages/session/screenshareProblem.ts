/** Only web links: anything else would not open as a screenshare anyway. */
export function screenshareProblem(url: string): string | null {
  try {
    const u = new URL(url.trim());
    return u.protocol === 'https:' || u.protocol === 'http:' ? null : 'Use an https:// link.';
  } catch {
    return 'Paste a full link, such as https://meet.example.com/abc.';
  }
}
