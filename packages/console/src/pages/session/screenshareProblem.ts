import { parseWebLink } from '../../lib/webLink';

/** What is wrong with a screenshare link as typed, or null: anything but a web link would not open anyway. */
export function screenshareProblem(url: string): string | null {
  const link = parseWebLink(url.trim());
  if (!('problem' in link)) return null;
  return link.problem === 'not-http'
    ? 'Use an https:// link.'
    : 'Paste a full link, such as https://meet.example.com/abc.';
}
