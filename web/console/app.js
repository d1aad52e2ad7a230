// The console's entry point: sign-in, the navigation by role and the hash router
// (#/board, #/catalog, …). Screens other than the board load on first use.

import {ApiError, session} from './api.js';
import {announce, field, h, replace, screenTitle, setFieldError} from './dom.js';
import {renderBoard} from './board.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const account = document.getElementById('account');

/** Screens by route: [module, export, admin only]. */
const SCREENS = {
  board: [null, null, false],
  catalog: ['./catalog.js', 'renderCatalog', true],
  pricing: ['./pricing.js', 'renderPricing', true],
  settings: ['./settings.js', 'renderSettings', true],
  history: ['./history.js', 'renderHistory', true],
  analytics: ['./analytics.js', 'renderAnalytics', true],
};
const STAFF_ROLES = new Set(['staff', 'admin']);

let stopScreen = null;
let renderToken = 0;

function route() {
  const [name = 'board', ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  return {name: SCREENS[name] ? name : 'board', args: rest.map(decodeURIComponent)};
}

function showSignIn(message) {
  nav.hidden = true;
  account.hidden = true;
  const email = field('Email', h('input', {type: 'email', name: 'email', autocomplete: 'username', required: true}));
  const password = field('Password', h('input', {
    type: 'password', name: 'password', autocomplete: 'current-password', required: true,
  }));
  const error = h('p', {class: 'notice error', role: 'alert', hidden: !message}, message ?? '');
  const submit = h('button', {type: 'submit'}, 'Sign in');
  const form = h('form', {class: 'sign-in', 'aria-labelledby': 'sign-in-title', novalidate: true},
    h('h1', {id: 'sign-in-title'}, 'Sign in'),
    h('p', {class: 'hint'}, 'For baristas (staff) and managers (admin).'),
    error, email.row, password.row, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    setFieldError(email, email.input.value ? '' : 'Enter your email');
    setFieldError(password, password.input.value ? '' : 'Enter your password');
    if (!email.input.value || !password.input.value) {
      (email.input.value ? password.input : email.input).focus();
      return;
    }
    submit.disabled = true;
    error.hidden = true;
    try {
      const user = await session.signIn(email.input.value.trim(), password.input.value);
      if (!STAFF_ROLES.has(user.role)) {
        await session.signOut();
        showSignIn('This console is for staff and admins. Customers order in the shop\u2019s app.');
      }
    } catch (e) {
      error.textContent = e instanceof ApiError ? e.message : 'Sign-in failed';
      error.hidden = false;
      submit.disabled = false;
      password.input.focus();
    }
  });
  stopScreen?.();
  stopScreen = null;
  replace(main, form);
  email.input.focus();
}

function showNav(user) {
  for (const li of nav.querySelectorAll('[data-role="admin"]')) li.hidden = user.role !== 'admin';
  document.getElementById('account-name').textContent = `${user.email} (${user.role})`;
  nav.hidden = false;
  account.hidden = false;
}

async function showScreen() {
  const user = session.user;
  if (!user) return;
  const {name, args} = route();
  const [module, exportName, adminOnly] = SCREENS[name];
  for (const a of nav.querySelectorAll('a')) {
    if (a.dataset.route === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  stopScreen?.();
  stopScreen = null;
  const token = ++renderToken;
  if (adminOnly && user.role !== 'admin') {
    replace(main, screenTitle('Not allowed'), h('p', {class: 'notice'}, 'This screen is for admins.'));
    return;
  }
  const context = {isAdmin: user.role === 'admin', args};
  try {
    const render = module ? (await import(module))[exportName] : renderBoard;
    if (token !== renderToken) return;
    stopScreen = render(main, context) ?? null;
  } catch (error) {
    replace(main, screenTitle('Something went wrong'), h('p', {class: 'notice error'}, error.message));
  }
  document.title = `${name[0].toUpperCase()}${name.slice(1)} · Coffee console`;
  main.querySelector('h1')?.focus({preventScroll: true});
}

session.onChange((user, reason) => {
  if (user) {
    if (!STAFF_ROLES.has(user.role)) return;
    showNav(user);
    showScreen();
  } else {
    showSignIn(reason === 'expired' ? 'Your session has ended. Sign in again.' : undefined);
    if (reason === 'signed-out') announce('Signed out');
  }
});

document.getElementById('sign-out').addEventListener('click', () => session.signOut());
window.addEventListener('hashchange', showScreen);

(async () => {
  if (!(await session.restore())) {
    showSignIn();
  } else if (!STAFF_ROLES.has(session.user.role)) {
    await session.signOut();
    showSignIn('This console is for staff and admins.');
  }
})();
