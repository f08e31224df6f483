/**
 * The document title: the page's own title, led by the workspace's badge (waiting tasks and
 * unread messages) when there is one, so the tab says what needs the engineer at a glance.
 */
let page = 'CodeVF';
let badge = '';

function apply(): void {
  document.title = badge ? `(${badge}) ${page} · CodeVF` : `${page} · CodeVF`;
}

export function setPageTitle(title: string): void {
  page = title;
  apply();
}

/** `''` removes the badge. */
export function setTitleBadge(text: string): void {
  badge = text;
  apply();
}

/** "2 waiting · 3 unread"; parts that are zero are left out. */
export function workspaceBadge(waiting: number, unread: number): string {
  const parts: string[] = [];
  if (waiting > 0) parts.push(`${waiting} waiting`);
  if (unread > 0) parts.push(`${unread} unread`);
  return parts.join(' · ');
}
