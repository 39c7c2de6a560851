// What each tile's buttons do: Test, Edit, Rotate key, History, Delete.
// Writes send If-Match with the credential's ETag ("\"" + version + "\""): when someone else changed the
// credential in the meantime the service answers 412 and the page says so and shows the current state.
import {
  ApiError, deleteCredential, getCredential, listEvents, listUsages, testStoredCredential, testUnsavedKey, updateCredential,
} from './api.js';
import { $, busy, clearFieldErrors, h, showFieldErrors, showNotice } from './dom.js';
import { actionLabel, eventDetail, timeElement } from './format.js';
import { openDialog, setReturnFocus, whenDismissed } from './dialogs.js';
import { clearVerdict, renderVerdict } from './add-credential.js';
import { showTileMessage } from './tiles.js';

const CHANGED_BY_SOMEONE_ELSE = 'Someone else changed this credential after this page loaded it, so your change was not saved.';

export function setupTileActions(app) {
  const edit = setupEdit(app);
  const rotate = setupRotate(app);
  const remove = setupDelete(app);
  const history = setupHistory(app);

  // One listener for every tile's buttons (tiles come and go as the list reloads).
  $('#tiles').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const tile = button.closest('[data-credential-id]');
    const credential = app.credential(tile.dataset.credentialId);
    if (!credential) return;
    switch (button.dataset.action) {
      case 'test': return runTest(app, tile, button, credential);
      case 'edit': return edit.open(credential, button);
      case 'rotate': return rotate.open(credential, button);
      case 'history': return history.open(credential, button);
      case 'delete': return remove.open(credential, button);
      default: return undefined;
    }
  });
}

/** Tests the stored key; the verdict becomes the tile's "Last test" and its message shows under it. */
async function runTest(app, tile, button, credential) {
  if (button.disabled) return;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  showTileMessage(tile, `Testing against ${credential.apiDomain}…`);
  try {
    const result = await testStoredCredential(credential.id);
    showTileMessage(tile, result.message, result.success ? 'good' : 'bad');
    // Storing the verdict changed the credential's version: read it again so later edits carry the right ETag.
    app.credentialChanged(await getCredential(credential.id).catch(() => ({ ...credential, lastTest: result })));
  } catch (error) {
    if (!app.handleSessionError(error)) showTileMessage(tile, app.describe(error), 'bad');
    if (error instanceof ApiError && error.status === 404) app.credentialGone(credential.id);
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/**
 * A 412 (or 404) on a write: the credential is read again and shown as it is now, so the person can decide again.
 * Returns the current credential, or null when it no longer exists.
 */
async function refreshAfterConflict(app, credential) {
  try {
    const current = await getCredential(credential.id);
    app.credentialChanged(current);
    return current;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      app.credentialGone(credential.id);
      return null;
    }
    throw error;
  }
}

function setupEdit(app) {
  const dialog = $('#edit-dialog');
  const form = $('#edit-form');
  const problem = $('#edit-problem');
  const saveButton = $('#edit-save');
  const fields = { name: $('#edit-name'), description: $('#edit-description'), region: $('#edit-region') };
  let editing = null;

  function fill(credential) {
    editing = credential;
    $('#edit-title').textContent = `Edit “${credential.name}”`;
    fields.name.value = credential.name;
    fields.description.value = credential.description ?? '';
    fields.region.value = credential.region;
  }

  function open(credential, opener) {
    clearFieldErrors(fields);
    showNotice(problem, '');
    fill(credential);
    openDialog(dialog, opener, fields.name);
  }

  // The close event comes a task later: if the dialog was opened again meanwhile, keep what that opening edits.
  dialog.addEventListener('close', () => {
    if (!dialog.open) editing = null;
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!editing || saveButton.disabled) return;
    const credential = editing;
    clearFieldErrors(fields);
    showNotice(problem, '');

    // Only what changed is sent: an omitted field stays as it is.
    const changes = {};
    const description = fields.description.value.trim() ? fields.description.value : null;
    if (fields.name.value !== credential.name) changes.name = fields.name.value;
    if (description !== (credential.description ?? null)) changes.description = description;
    if (fields.region.value !== credential.region) changes.region = fields.region.value;
    if (Object.keys(changes).length === 0) {
      dialog.close();
      return;
    }

    const restore = busy(saveButton, 'Saving…');
    try {
      const updated = await updateCredential(credential, changes);
      dialog.close();
      app.credentialChanged(updated);
      app.announce(`Saved “${updated.name}”.`);
    } catch (error) {
      await showPatchError(app, error, { fields, problem, credential, showCurrent: fill,
        retryHint: 'The form now shows the current values: make your change again and save.' });
    } finally {
      restore();
    }
  });

  return { open };
}

/** A failed PATCH, in its dialog: field errors next to their fields, a conflict with the current state, or why. */
async function showPatchError(app, error, { fields, problem, credential, showCurrent, retryHint }) {
  if (app.handleSessionError(error)) return;
  if (error instanceof ApiError && error.status === 400) {
    showFieldErrors(fields, error.fieldErrors, problem);
    return;
  }
  if (error instanceof ApiError && (error.status === 412 || error.status === 404)) {
    const current = await refreshAfterConflict(app, credential).catch(() => null);
    if (current) {
      showCurrent(current);
      showNotice(problem, `${CHANGED_BY_SOMEONE_ELSE} ${retryHint}`);
    } else {
      showNotice(problem, 'This credential no longer exists: someone else deleted it.');
    }
  } else {
    showNotice(problem, app.describe(error));
  }
  problem.focus();
}

function setupRotate(app) {
  const dialog = $('#rotate-dialog');
  const form = $('#rotate-form');
  const problem = $('#rotate-problem');
  const verdict = $('#rotate-verdict');
  const testButton = $('#rotate-test');
  const saveButton = $('#rotate-save');
  const key = $('#rotate-key');
  const fields = { appApiKey: key };
  let rotating = null;

  function describe(credential) {
    rotating = credential;
    $('#rotate-title').textContent = `Rotate App API Key of “${credential.name}”`;
    $('#rotate-intro').textContent = `The stored key (ending in ${credential.appApiKeyLast4}) will be replaced. ` +
      `The new key is used with ${credential.apiDomain}.`;
  }

  function open(credential, opener) {
    form.reset();
    clearFieldErrors(fields);
    showNotice(problem, '');
    clearVerdict(verdict);
    describe(credential);
    openDialog(dialog, opener, key);
  }

  // The new key is forgotten the moment the dialog is dismissed or closes.
  function forget() {
    key.value = '';
    form.reset();
    clearVerdict(verdict);
    rotating = null;
  }
  whenDismissed(dialog, forget, { canDismiss: () => !saveButton.disabled });
  key.addEventListener('input', () => clearVerdict(verdict));

  testButton.addEventListener('click', async () => {
    if (!rotating) return;
    clearFieldErrors(fields);
    showNotice(problem, '');
    clearVerdict(verdict);
    if (!key.value.trim()) {
      showFieldErrors(fields, { appApiKey: ['Enter the new App API Key to test it.'] }, problem);
      return;
    }
    const restore = busy(testButton, 'Testing…');
    try {
      // No region switch here: the region is changed with Edit.
      const { region } = rotating;
      renderVerdict(verdict, await testUnsavedKey(key.value, region), null);
    } catch (error) {
      if (app.handleSessionError(error)) return;
      if (error instanceof ApiError && error.status === 400) showFieldErrors(fields, error.fieldErrors, problem);
      else showNotice(problem, app.describe(error));
    } finally {
      restore();
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!rotating || saveButton.disabled) return;
    const credential = rotating;
    clearFieldErrors(fields);
    showNotice(problem, '');
    const restore = busy(saveButton, 'Rotating…');
    try {
      const updated = await updateCredential(credential, { appApiKey: key.value });
      forget();
      dialog.close();
      app.credentialChanged(updated);
      app.announce(`Rotated the key of “${updated.name}”: it now ends in ${updated.appApiKeyLast4}.`);
    } catch (error) {
      await showPatchError(app, error, { fields, problem, credential, showCurrent: describe,
        retryHint: 'Check the credential as it is now, then rotate again.' });
    } finally {
      restore();
    }
  });

  return { open };
}

function setupDelete(app) {
  const dialog = $('#delete-dialog');
  const form = $('#delete-form');
  const problem = $('#delete-problem');
  const confirmButton = $('#delete-confirm');
  let deleting = null;

  function open(credential, opener) {
    deleting = credential;
    showNotice(problem, '');
    $('#delete-title').textContent = `Delete “${credential.name}”?`;
    $('#delete-text').textContent = `“${credential.name}” (${credential.apiDomain}, key ending in ` +
      `${credential.appApiKeyLast4}) will be deleted and its encrypted App API Key destroyed. Sources and ` +
      'destinations that use it will stop working. This cannot be undone.';
    showUsages(null);
    openDialog(dialog, opener, dialog.querySelector('[data-close]'));
    if ((credential.usageCount ?? 0) > 0) {
      listUsages(credential.id)
        .then(({ items }) => { if (deleting === credential) showUsages(items, credential.usageCount); })
        .catch(() => { if (deleting === credential) showUsages([], credential.usageCount); });
    }
  }

  /** The in-use warning: what uses the credential, and the choice to delete it anyway. */
  function showUsages(usages, count = usages?.length ?? 0) {
    const section = $('#delete-usages');
    const force = $('#delete-force');
    force.checked = false;
    section.hidden = !usages;
    if (!usages) return;
    $('#delete-usages-text').textContent = `“${deleting.name}” is in use by ${count} source${count === 1 ? '' : 's'} ` +
      `or destination${count === 1 ? '' : 's'}${usages.length < count ? ` (the first ${usages.length} are listed)` : ''}. ` +
      'Deleting it breaks them.';
    $('#delete-usages-list').replaceChildren(...usages.map((u) =>
      h('li', { 'data-usage-id': u.id }, `${u.kind === 'destination' ? 'Destination' : 'Source'} “${u.name}” (${u.id})`)));
  }

  // The close event comes a task later: after Cancel and a quick second Delete, the new opening's credential stays.
  dialog.addEventListener('close', () => {
    if (!dialog.open) deleting = null;
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!deleting || confirmButton.disabled) return;
    const credential = deleting;
    const restore = busy(confirmButton, 'Deleting…');
    try {
      await deleteCredential(credential, { force: !$('#delete-usages').hidden && $('#delete-force').checked });
      setReturnFocus(dialog, app.focusAfterRemoving(credential.id));
      dialog.close();
      app.credentialGone(credential.id);
      app.announce(`Deleted “${credential.name}”.`);
    } catch (error) {
      if (app.handleSessionError(error)) return;
      if (error instanceof ApiError && error.status === 412) {
        setReturnFocus(dialog, $('#banner')); // whichever comes last, the close or the reload, focus ends there
        dialog.close();
        await app.reload();
        app.showBanner(`“${credential.name}” was not deleted: someone else changed it after this page loaded it. ` +
          'The list has been reloaded: check the credential, then delete it again if you still mean to.', { focus: true });
      } else if (error instanceof ApiError && error.status === 409 && error.problem.type?.endsWith('credential-in-use')) {
        // It became used since the page loaded it: show what uses it and let the person decide.
        showUsages(error.problem.usages ?? [], error.problem.usageCount);
        showNotice(problem, 'This credential is in use and was not deleted.');
      } else if (error instanceof ApiError && error.status === 404) {
        app.showBanner(`“${credential.name}” no longer exists: someone else deleted it.`);
        app.credentialGone(credential.id);
        setReturnFocus(dialog, $('#banner'));
        dialog.close();
      } else {
        showNotice(problem, app.describe(error));
      }
    } finally {
      restore();
    }
  });

  return { open };
}

function setupHistory(app) {
  const dialog = $('#history-dialog');
  const body = $('#history-body');

  const older = $('#history-older');
  let current = null; // { id, cursor, rows }: the credential shown and where its next (older) page starts

  function showError(error) {
    if (app.handleSessionError(error)) return;
    body.append(h('p', { className: 'notice notice--bad', role: 'alert' }, app.describe(error)));
  }

  async function open(credential, opener) {
    $('#history-title').textContent = `History of “${credential.name}”`;
    body.replaceChildren(h('p', { className: 'muted' }, 'Loading…'));
    older.hidden = true;
    const shown = { id: credential.id, cursor: null, rows: null };
    current = shown;
    openDialog(dialog, opener, dialog.querySelector('[data-close]'));
    try {
      const page = await listEvents(credential.id);
      if (current !== shown) return; // the dialog was opened again for another credential meanwhile
      const table = eventsTable(page.items);
      shown.rows = table.querySelector('tbody');
      shown.cursor = page.nextCursor;
      body.replaceChildren(table);
      older.hidden = !page.nextCursor;
    } catch (error) {
      body.replaceChildren();
      showError(error);
    }
  }

  // Older events are appended below the ones shown (the list is newest first).
  older.addEventListener('click', async () => {
    const shown = current;
    if (!shown?.cursor || !shown.rows) return;
    const restore = busy(older, 'Loading…');
    try {
      const page = await listEvents(shown.id, shown.cursor);
      if (current !== shown) return;
      shown.rows.append(...page.items.map(eventRow));
      shown.cursor = page.nextCursor;
      older.hidden = !page.nextCursor;
    } catch (error) {
      showError(error);
    } finally {
      restore();
    }
  });

  return { open };
}

function eventsTable(items) {
  return h('div', { className: 'table-scroll', tabIndex: 0, role: 'region', 'aria-label': 'Events, newest first' },
    h('table', { className: 'events' },
      h('caption', { className: 'visually-hidden' }, 'Events, newest first'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'What'),
        h('th', { scope: 'col' }, 'Who'), h('th', { scope: 'col' }, 'Details'))),
      h('tbody', {}, items.map(eventRow))));
}

function eventRow(event) {
  return h('tr', { 'data-action': event.action },
    h('td', {}, timeElement(event.at)),
    h('td', {}, actionLabel(event.action)),
    h('td', {}, event.actor),
    h('td', {}, eventDetail(event.detail)));
}

