// The session and every call to the API. The access token lives only in this module's memory;
// the refresh token is kept in sessionStorage (this tab only, gone when it closes) so that a
// reload does not sign a barista out. Refresh tokens rotate on every use and a reused one
// revokes the whole login, so all refreshes go through one promise at a time.

const REFRESH_KEY = 'coffee-console.refresh-token';
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_SECONDS = 60;

/** An API answer that is not 2xx, in the one error shape. */
export class ApiError extends Error {
  constructor(status, body) {
    super(errorMessage(status, body));
    this.name = 'ApiError';
    this.status = status;
    this.body = body ?? {};
    this.code = this.body.error_code ?? '';
    /** Field → message, for validation errors. */
    this.fields = this.body.fields ?? {};
  }
}

/** The message a person should read: the specific message when the server gives one. */
export function errorMessage(status, body) {
  if (body && typeof body === 'object') {
    for (const key of ['message', 'details', 'error']) {
      if (typeof body[key] === 'string' && body[key]) return body[key];
    }
  }
  return status === 0 ? 'The server cannot be reached' : `The server answered ${status}`;
}

let accessToken = null;
let currentUser = null;
let refreshTimer = null;
let refreshing = null;
const listeners = new Set();

function storedRefreshToken() {
  try {
    return sessionStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

function storeRefreshToken(token) {
  try {
    if (token) sessionStorage.setItem(REFRESH_KEY, token);
    else sessionStorage.removeItem(REFRESH_KEY);
  } catch {
    // Storage refused (private mode): the session then ends with the page.
  }
}

function notify(reason) {
  for (const fn of listeners) fn(currentUser, reason);
}

function adopt(tokens) {
  accessToken = tokens.access_token;
  currentUser = tokens.user;
  storeRefreshToken(tokens.refresh_token);
  clearTimeout(refreshTimer);
  const seconds = Math.max(10, (tokens.expires_in ?? 900) - REFRESH_MARGIN_SECONDS);
  refreshTimer = setTimeout(() => {
    refresh().catch(() => {});
  }, seconds * 1000);
}

function clear(reason) {
  const hadUser = currentUser !== null;
  accessToken = null;
  currentUser = null;
  clearTimeout(refreshTimer);
  storeRefreshToken(null);
  if (hadUser) notify(reason);
}

async function readBody(res) {
  if (res.status === 204) return null;
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return {message: text};
  }
}

async function post(path, body) {
  let res;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', Accept: 'application/json'},
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, null);
  }
  const data = await readBody(res);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/**
 * Exchanges the refresh token for a new pair, once at a time: callers that arrive while a
 * refresh runs share its outcome. A refused refresh ends the session.
 */
export function refresh() {
  if (refreshing) return refreshing;
  const token = storedRefreshToken();
  if (!token) return Promise.reject(new ApiError(401, {message: 'Not signed in'}));
  refreshing = post('/api/auth/refresh', {refresh_token: token})
    .then((tokens) => {
      const before = currentUser;
      adopt(tokens);
      if (!before) notify('restored');
      return tokens.access_token;
    })
    .catch((error) => {
      if (error.status === 401 || error.status === 400) clear('expired');
      throw error;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export const session = {
  get user() {
    return currentUser;
  },
  get accessToken() {
    return accessToken;
  },
  /** Signs in with email and password; rejects with ApiError. */
  async signIn(email, password) {
    const tokens = await post('/api/auth/login', {email, password});
    adopt(tokens);
    notify('signed-in');
    return tokens.user;
  },
  /** Resumes this tab's session from its refresh token, if it has one. */
  async restore() {
    if (!storedRefreshToken()) return false;
    try {
      await refresh();
      return true;
    } catch {
      return false;
    }
  },
  /** Revokes this login on the server and forgets every token. */
  async signOut() {
    const token = storedRefreshToken();
    clear('signed-out');
    if (token) {
      try {
        await post('/api/auth/logout', {refresh_token: token});
      } catch {
        // Already revoked or unreachable: the tokens are forgotten either way.
      }
    }
  },
  /** fn(user, reason) on sign-in, restore, sign-out and expiry. */
  onChange(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
};

/**
 * Calls the API with the access token. A 401 refreshes the token once and retries; other
 * non-2xx answers reject with ApiError. Resolves to {status, headers, body}.
 */
export async function call(method, path, {body, signal, headers = {}} = {}) {
  for (let attempt = 0; ; attempt += 1) {
    const used = accessToken;
    const init = {method, signal, headers: {Accept: 'application/json', ...headers}};
    if (used) init.headers.Authorization = `Bearer ${used}`;
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (error) {
      if (error.name === 'AbortError') throw error;
      throw new ApiError(0, null);
    }
    const data = await readBody(res);
    if (res.status === 401 && attempt === 0 && storedRefreshToken()) {
      // Another call may have refreshed meanwhile; then just retry with the new token.
      if (accessToken === used) await refresh();
      continue;
    }
    if (!res.ok) throw new ApiError(res.status, data);
    return {status: res.status, headers: res.headers, body: data};
  }
}

/** GET that resolves to the body. */
export async function get(path, options) {
  return (await call('GET', path, options)).body;
}

/** Every page of a paginated list (`limit` 100 per request). */
export async function getAll(path) {
  const out = [];
  const sep = path.includes('?') ? '&' : '?';
  for (let page = 1; page <= 1000; page += 1) {
    const res = await call('GET', `${path}${sep}limit=100&page=${page}`);
    out.push(...res.body);
    const total = Number(res.headers.get('X-Total-Count') ?? out.length);
    if (res.body.length === 0 || out.length >= total) break;
  }
  return out;
}
