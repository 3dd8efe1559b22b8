// Shows one screen at a time.
//
// A screen is an object {section, title, shell?, nav?, init?(), enter?(options), leave?()}:
//   section  id of its <section class="screen"> in index.html
//   title    window title while it is shown
//   shell    true when it belongs to the unlocked app (shows the header with the navigation)
//   nav      id of the navigation button marked aria-current="page" while it is shown
//   enter    fills the screen; may build fields, may start async loading
//   leave    clears what must not stay in the page (passphrases, recovery words)
//
// After enter(), focus goes to the element marked data-autofocus (first field of a form)
// or else to the screen's <h1>.

import { byId } from './dom.js';

const screens = new Map();
let currentName = null;
let navigation = 0;

export function register(name, screen) {
  screens.set(name, screen);
  if (screen.init) screen.init();
}

export function current() {
  return currentName;
}

export function isShellScreen(name = currentName) {
  const screen = screens.get(name);
  return Boolean(screen && screen.shell);
}

export function go(name, options = {}) {
  const screen = screens.get(name);
  if (!screen) throw new Error(`Unknown screen "${name}"`);
  const token = ++navigation;

  const previous = currentName ? screens.get(currentName) : null;
  if (previous && previous !== screen && previous.leave) previous.leave();
  currentName = name;

  for (const [, other] of screens) byId(other.section).hidden = other !== screen;
  byId('app-header').hidden = !screen.shell;
  if (!screen.shell) byId('lock-error').textContent = '';
  // Every button of the header's navigation (so a new screen only adds its button).
  for (const button of document.querySelectorAll('#app-header .nav-button')) {
    if (button.id === screen.nav) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
  }
  document.title = screen.title ? `${screen.title} – Hallmark` : 'Hallmark';

  if (screen.enter) {
    const result = screen.enter(options);
    // enter() may be async; report failures instead of losing them.
    if (result && typeof result.catch === 'function') result.catch((error) => console.error(error));
  }
  // enter() may itself have moved to another screen (for example when nothing is pending).
  if (token !== navigation) return;

  const section = byId(screen.section);
  window.scrollTo(0, 0);
  const target = section.querySelector('[data-autofocus]') || section.querySelector('h1');
  if (target) target.focus({ preventScroll: true });
}
