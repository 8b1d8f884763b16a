() => {
  // Checks a long page: key figures, then "on this page" links to sections that exist.
  const problems = [];
  const nav = document.querySelector('main nav[aria-label="På den här sidan"]');
  if (!nav) return ['no <nav aria-label="På den här sidan">'];
  const summary = document.querySelector('main .figures');
  if (!summary || !(summary.compareDocumentPosition(nav) & Node.DOCUMENT_POSITION_FOLLOWING))
    problems.push('no key figures before the in-page navigation');
  const firstSection = document.querySelector('main h2:not(.visually-hidden)');
  if (firstSection && !(nav.compareDocumentPosition(firstSection) & Node.DOCUMENT_POSITION_FOLLOWING))
    problems.push('the in-page navigation comes after the first section');
  const links = [...nav.querySelectorAll('a')];
  if (links.length < 4) problems.push(`only ${links.length} links in the in-page navigation`);
  for (const a of links) {
    const id = decodeURIComponent(a.getAttribute('href') || '').replace(/^#/, '');
    if (!document.getElementById(id)) problems.push(`"${a.textContent}" points to #${id}, which is not on the page`);
  }
  return problems;
}
