() => {
  // Measures a page: a list of problems (sideways scrolling, unlabelled or clipped overflow).
  const problems = [];
  const root = document.documentElement;
  const width = root.clientWidth;
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += '#' + el.id;
    if (el.className && typeof el.className === 'string') text += '.' + el.className.trim().split(/\s+/).join('.');
    const label = (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 40);
    return text + (label ? ' "' + label + '"' : '');
  };
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const clips = (el) => ['hidden', 'clip'].includes(getComputedStyle(el).overflowX);
  const hidden = (el) => el.closest('.visually-hidden, [hidden], details:not([open]) > :not(summary)');
  const clipper = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (scrolls(a) || clips(a)) return a;
    }
    return null;
  };
  if (root.scrollWidth > width) {
    const wide = [...document.body.querySelectorAll('*')].filter(el => {
      if (hidden(el)) return false;
      const box = el.getBoundingClientRect();
      return box.width > 0 && box.right > width + 1 && !clipper(el);
    }).slice(0, 4).map(describe);
    problems.push(`the page is ${root.scrollWidth} px wide in a ${width} px window: ${wide.join('; ')}`);
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (hidden(el) || el.closest('.swagger-ui')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none') continue;
    const overflowing = el.scrollWidth > el.clientWidth + 1;
    if (!overflowing) continue;
    if (scrolls(el)) {
      const problemsHere = [];
      if (el.getAttribute('role') !== 'region') problemsHere.push('role="region"');
      if (!el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) problemsHere.push('a label');
      if (el.getAttribute('tabindex') !== '0') problemsHere.push('tabindex="0"');
      const row = [...el.querySelectorAll('tbody tr')].find(r => r.cells.length > 1);
      const first = row && row.cells[0];
      if (first && getComputedStyle(first).position !== 'sticky') problemsHere.push('a sticky first column');
      if (problemsHere.length && el.tagName !== 'TEXTAREA' && el.tagName !== 'SELECT' && el.tagName !== 'PRE')
        problems.push(`${describe(el)} scrolls sideways without ${problemsHere.join(', ')}`);
    } else if (clips(el) && !['BODY', 'HTML', 'INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) {
      problems.push(`${describe(el)} cuts off ${el.scrollWidth - el.clientWidth} px without a scroll bar`);
    }
  }
  for (const table of document.querySelectorAll('table')) {
    if (hidden(table)) continue;
    const box = clipper(table);
    const room = box ? box.getBoundingClientRect().right : width;
    if (table.getBoundingClientRect().right > room + 1 && !(box && scrolls(box)))
      problems.push(`${describe(table)} is cut off at ${Math.round(room)} px`);
  }
  return problems;
}
