/** DOM helpers: every text from the log goes in as a text node, never as markup. */

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  append(e, ...children);
  return e;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

export const num = (v: number) => v.toLocaleString('en-US');

export function ms(v: number | null): string {
  if (v === null) return '–';
  if (v >= 60_000) return `${(v / 60_000).toFixed(1)} min`;
  if (v >= 1000) return `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)} s`;
  if (v >= 10) return `${Math.round(v)} ms`;
  if (v >= 1) return `${v.toFixed(1)} ms`;
  return `${Number(v.toFixed(2))} ms`;
}

/** Copies text; the Clipboard API needs a secure context (file:// is one), else a selected textarea is copied. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = el('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

export function copyButton(label: string, text: () => string): HTMLButtonElement {
  const b = el('button', { type: 'button', class: 'copy', 'aria-label': label }, 'Copy');
  b.addEventListener('click', async () => {
    const ok = await copyText(text());
    b.textContent = ok ? 'Copied' : 'Copy failed';
    b.classList.toggle('done', ok);
    setTimeout(() => {
      b.textContent = 'Copy';
      b.classList.remove('done');
    }, 1500);
  });
  return b;
}
