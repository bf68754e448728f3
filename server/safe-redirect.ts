// The one check for redirects to a place the request names (`/langue/fr?next=…`): only a path of
// this site. Browsers read `//host`, `/\host` and `\host` as another site, strip tabs and line
// breaks before reading, and some proxies decode `%2F` and `%5C` on the way: each form is refused
// raw and decoded, and the path a URL parser resolves must still be ours.

const BASE = new URL('https://guichet.invalid');
const MAX_LENGTH = 2048;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function unsafe(form: string): boolean {
  return !form.startsWith('/') || form.startsWith('//') || form.includes('\\') || CONTROL.test(form);
}

/** `next` when it is a path of this site (normalised, percent-encoded), else `fallback`. */
export function safeRedirect(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next === '' || next.length > MAX_LENGTH) return fallback;
  // Decoded until it no longer changes (a few rounds: `%252F` is `%2F` once more).
  let decoded = next;
  for (let round = 0; ; round++) {
    let once: string;
    try {
      once = decodeURIComponent(decoded);
    } catch {
      return fallback; // malformed escapes: nobody's genuine link
    }
    if (once === decoded) break;
    if (round === 4) return fallback;
    decoded = once;
  }
  if (unsafe(next) || unsafe(decoded)) return fallback;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return fallback;
  }
  // `/..//host` resolves to `//host`: the resolved path is checked too.
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== BASE.origin || unsafe(path)) return fallback;
  return path;
}
