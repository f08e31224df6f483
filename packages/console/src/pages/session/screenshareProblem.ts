import { screenshareUrlProblem } from '@codevf/protocol/shared';
import { parseWebLink } from '../../lib/webLink';

/** What is wrong with a screenshare link as typed, or null: the customer's terminal would refuse it too. */
export function screenshareProblem(url: string): string | null {
  const link = parseWebLink(url.trim());
  if (!('problem' in link)) return null;
  switch (link.problem) {
    case 'not-https':
      return 'Use an https:// link.';
    case 'not-a-url':
      return 'Paste a full link, such as https://meet.example.com/abc.';
    default:
      return screenshareUrlProblem(link.problem);
  }
}
