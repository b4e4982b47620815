// The colour theme: light or dark, always as data-theme on <html> (style/theme.css has one dark
// palette, for [data-theme="dark"]). A stored choice ("light" | "dark" under THEME_KEY in
// localStorage) wins; without one the page follows the system (prefers-color-scheme, also when it
// changes while the page is open). index.html applies it before the first paint; these helpers
// are the toggle's side (src/app/components/theme_toggle.rs).

const THEME_KEY = 'mnist-viz-theme';

function systemQuery() {
  return window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
}

function systemIsDark() {
  const q = systemQuery();
  return q ? q.matches : false;
}

function stored() {
  try {
    const t = window.localStorage.getItem(THEME_KEY);
    return t === 'light' || t === 'dark' ? t : null;
  } catch (e) {
    return null; // storage blocked: the system's theme, and the toggle works for this page only
  }
}

/** True when the page shows the dark theme now. */
export function theme_is_dark() {
  const t = document.documentElement.getAttribute('data-theme') || stored();
  return t ? t === 'dark' : systemIsDark();
}

/** The theme the page shows without a choice of its own: the stored one, else the system's. */
function followed() {
  return stored() || (systemIsDark() ? 'dark' : 'light');
}

/** Shows the dark (or light) theme. A choice equal to the system's theme is not stored (the
 *  page follows the system again); another one is stored, for the next visits. */
export function theme_set_dark(dark) {
  const followSystem = dark === systemIsDark();
  document.documentElement.setAttribute('data-theme', dark ? 'dark' : 'light');
  try {
    if (followSystem) window.localStorage.removeItem(THEME_KEY);
    else window.localStorage.setItem(THEME_KEY, dark ? 'dark' : 'light');
  } catch (e) {
    // storage blocked: the choice holds until the page is left
  }
}

/** Calls `callback` whenever the system's theme changes (the page may follow it). */
export function theme_watch_system(callback) {
  const q = systemQuery();
  if (q && q.addEventListener) {
    q.addEventListener('change', () => {
      document.documentElement.setAttribute('data-theme', followed());
      callback();
    });
  }
}
