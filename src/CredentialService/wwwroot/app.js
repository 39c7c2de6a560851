// The credential manager page: sign in with a bearer token, see the tenant's credentials as tiles, add, test,
// edit, rotate and delete them. Plain ES modules, no build step; the service serves this folder as static files.
import { ApiError, describeError, listCredentials, useToken } from './modules/api.js';
import { $, h, showNotice } from './modules/dom.js';
import { closeAllDialogs, setReturnFocus, setupDialogs } from './modules/dialogs.js';
import { formatDate } from './modules/format.js';
import { forgetToken, loadToken, normalizeToken, readToken, saveToken } from './modules/session.js';
import { setupAddCredential } from './modules/add-credential.js';
import { setupTileActions } from './modules/tile-actions.js';
import { createTile, fillTile } from './modules/tiles.js';

const PAGE_SIZE = 20;
const SEARCH_DELAY_MS = 300;

const ui = {
  banner: $('#banner'),
  announcer: $('#announcer'),
  signIn: $('#sign-in'),
  signInForm: $('#sign-in-form'),
  signInProblem: $('#sign-in-problem'),
  token: $('#token'),
  tokenError: $('#token-error'),
  session: $('#session'),
  credentials: $('#credentials'),
  filters: $('#filters'),
  q: $('#filter-q'),
  region: $('#filter-region'),
  tiles: $('#tiles'),
  listStatus: $('#list-status'),
  loadMore: $('#load-more'),
  addButton: $('#add-credential'),
};

const state = {
  claims: null,                 // what the token says (display only)
  credentials: new Map(),       // id -> credential, as last read from the service
  nextCursor: null,
  listRequest: 0,               // answers to older list requests are ignored
};

// --- what the other modules call ------------------------------------------------------------------------------

const app = {
  credential: (id) => state.credentials.get(id),
  describe: (error) => describeError(error, state.claims?.scopes ?? []),

  announce(message) {
    ui.announcer.textContent = '';
    requestAnimationFrame(() => { ui.announcer.textContent = message; });
  },

  /** A page-level message (role=alert); with focus, keyboard and screen-reader users land on it. */
  showBanner(message, { focus = false } = {}) {
    showNotice(ui.banner, message);
    if (focus && message) ui.banner.focus();
  },

  /** A 401 anywhere ends the session: the token is forgotten and the sign-in form says why. Returns true if handled. */
  handleSessionError(error) {
    if (error instanceof ApiError && error.status === 401) {
      app.sessionRejected(error);
      return true;
    }
    return false;
  },

  sessionRejected(error) {
    signOut(describeError(error));
  },

  credentialCreated(credential) {
    // A replayed create (same Idempotency-Key) answers with a credential this page may already show.
    let tile = tileOf(credential.id);
    if (tile) {
      fillTile(tile, credential);
    } else {
      tile = createTile(credential);
      ui.addButton.closest('li').after(tile); // newest first, right after the Add Credential tile
    }
    state.credentials.set(credential.id, credential);
    updateListStatus();
    const heading = tile.querySelector('.tile__name');
    setReturnFocus($('#add-dialog'), heading);
    app.announce(`Saved “${credential.name}”.`);
  },

  credentialChanged(credential) {
    state.credentials.set(credential.id, credential);
    const tile = tileOf(credential.id);
    if (tile) fillTile(tile, credential);
  },

  /** Where focus goes when a tile disappears: the next tile, else the previous one, else Add Credential. */
  focusAfterRemoving(id) {
    const tile = tileOf(id);
    const neighbour = tile?.nextElementSibling ?? tile?.previousElementSibling;
    return neighbour?.querySelector('.tile__name') ?? ui.addButton;
  },

  credentialGone(id) {
    state.credentials.delete(id);
    tileOf(id)?.remove();
    updateListStatus();
  },

  reload: () => loadFirstPage(),
};

const tileOf = (id) => ui.tiles.querySelector(`[data-credential-id="${CSS.escape(id)}"]`);

// --- sign-in ----------------------------------------------------------------------------------------------------

function showSignIn(problem) {
  closeAllDialogs();
  ui.session.hidden = true;
  ui.credentials.hidden = true;
  showNotice(ui.banner, '');
  ui.signIn.hidden = false;
  showNotice(ui.signInProblem, problem);
  ui.token.focus();
}

function showTokenError(message) {
  ui.tokenError.textContent = message;
  ui.tokenError.hidden = !message;
  if (message) ui.token.setAttribute('aria-invalid', 'true');
  else ui.token.removeAttribute('aria-invalid');
}

/** Signs in with a pasted token, or (restored) with the one this tab kept in session storage. */
async function signIn(rawToken, { restored = false } = {}) {
  const token = normalizeToken(rawToken);
  let claims;
  try {
    if (!token) throw new Error('Paste a bearer token.');
    claims = readToken(token);
  } catch (error) {
    if (restored) {
      signOut('');
    } else {
      showTokenError(error.message);
      ui.token.focus();
    }
    return;
  }
  showTokenError('');
  showNotice(ui.signInProblem, '');
  ui.token.value = '';

  saveToken(token);
  useToken(token);
  state.claims = claims;
  showSession(claims);
  ui.signIn.hidden = true;
  ui.credentials.hidden = false;
  await loadFirstPage();
  if (!restored && !ui.credentials.hidden) $('#credentials-title').focus();
}

function signOut(problem) {
  state.listRequest += 1; // answers still on their way are for the old token
  forgetToken();
  useToken(null);
  state.claims = null;
  state.credentials.clear();
  clearTiles();
  showSignIn(problem);
}

function showSession(claims) {
  $('#session-tenant').textContent = claims.tenant ?? 'none (the service will refuse this token: it has no tenant_id)';
  $('#session-scopes').replaceChildren(...(claims.scopes.length
    ? claims.scopes.map((scope) => h('code', { className: 'scope' }, scope))
    : ['none']));
  $('#session-subject').textContent = claims.subject ?? '—';
  $('#session-expires').textContent = claims.expiresAt
    ? `${formatDate(claims.expiresAt)}${claims.expired ? ' (expired)' : ''}`
    : 'no expiry';
  ui.session.hidden = false;
}

// --- the tile list ---------------------------------------------------------------------------------------------

function clearTiles() {
  for (const tile of ui.tiles.querySelectorAll('[data-credential-id]')) tile.remove();
  ui.loadMore.hidden = true;
  state.nextCursor = null;
}

const filters = () => ({ q: ui.q.value.trim(), region: ui.region.value, lastOutcome: $('#filter-outcome').value });

async function loadPage(cursor) {
  const request = ++state.listRequest;
  ui.tiles.setAttribute('aria-busy', 'true');
  try {
    const page = await listCredentials({ ...filters(), cursor, limit: PAGE_SIZE });
    if (request !== state.listRequest) return null; // a newer search has been sent
    return page;
  } catch (error) {
    if (request !== state.listRequest) return null;
    if (!app.handleSessionError(error)) {
      ui.listStatus.textContent = '';
      app.showBanner(error instanceof ApiError && error.status === 403
        ? `You cannot see this tenant's credentials. ${app.describe(error)}`
        : `The credentials could not be loaded. ${app.describe(error)}`);
    }
    return null;
  } finally {
    if (request === state.listRequest) ui.tiles.removeAttribute('aria-busy');
  }
}

async function loadFirstPage() {
  ui.listStatus.textContent = 'Loading credentials…';
  const page = await loadPage(null);
  if (!page) return;
  showNotice(ui.banner, '');
  clearTiles();
  state.credentials.clear();
  appendTiles(page);
}

function appendTiles(page) {
  const tiles = page.items.map((credential) => {
    state.credentials.set(credential.id, credential);
    return createTile(credential);
  });
  ui.tiles.append(...tiles);
  state.nextCursor = page.nextCursor;
  ui.loadMore.hidden = !page.nextCursor;
  updateListStatus();
  return tiles;
}

function updateListStatus() {
  const count = state.credentials.size;
  const { q, region, lastOutcome } = filters();
  const filtered = Boolean(q || region || lastOutcome);
  if (count === 0) {
    ui.listStatus.textContent = filtered
      ? 'No credentials match this search.'
      : 'No credentials yet. Use Add Credential to create one.';
  } else {
    const more = state.nextCursor ? ' (more can be loaded)' : '';
    ui.listStatus.textContent = `Showing ${count} credential${count === 1 ? '' : 's'}${filtered ? ' matching the filter' : ''}${more}.`;
  }
}

async function loadMore() {
  if (!state.nextCursor || ui.loadMore.disabled) return;
  ui.loadMore.disabled = true;
  try {
    const page = await loadPage(state.nextCursor);
    if (!page) return;
    const added = appendTiles(page);
    // Keyboard users continue from the first new tile.
    added[0]?.querySelector('.tile__name').focus();
  } finally {
    ui.loadMore.disabled = false;
  }
}

// --- wiring ----------------------------------------------------------------------------------------------------

function start() {
  setupDialogs();
  const addCredential = setupAddCredential(app);
  setupTileActions(app);

  ui.signInForm.addEventListener('submit', (event) => {
    event.preventDefault();
    signIn(ui.token.value);
  });
  $('#sign-out').addEventListener('click', () => signOut(''));
  ui.addButton.addEventListener('click', () => addCredential.open(ui.addButton));
  ui.loadMore.addEventListener('click', loadMore);

  let searchTimer;
  ui.filters.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    loadFirstPage();
  });
  ui.q.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(loadFirstPage, SEARCH_DELAY_MS);
  });
  ui.region.addEventListener('change', () => {
    clearTimeout(searchTimer);
    loadFirstPage();
  });
  $('#filter-outcome').addEventListener('change', () => {
    clearTimeout(searchTimer);
    loadFirstPage();
  });

  const saved = loadToken();
  if (saved) signIn(saved, { restored: true });
  else showSignIn('');
}

start();
