// The "Add New Credential" overlay: Credential Name, Credential Description, App API Key, API Region Domain;
// Test runs the unsaved test, Save creates the credential once (Idempotency-Key per opening of the overlay).
// The key lives only in the password field while the overlay is open: closing it empties the form.
import { ApiError, createCredential, testUnsavedKey } from './api.js';
import { $, busy, clearFieldErrors, h, showFieldErrors, showNotice } from './dom.js';
import { domainOf, verdictBadge } from './format.js';
import { openDialog, whenDismissed } from './dialogs.js';

/** A random UUID; crypto.randomUUID() exists only in secure contexts (HTTPS or localhost), so fall back. */
export function newIdempotencyKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Renders a TestResult into a verdict panel: badge, the service's message, and for wrong_region a one-click
 * switch to the suggested region (onSwitch), when one is offered.
 */
export function renderVerdict(panel, result, onSwitch) {
  const children = [
    h('p', { className: 'verdict-panel__title' }, verdictBadge(result)),
    h('p', { className: 'verdict-panel__message' }, result.message),
  ];
  if (result.outcome === 'wrong_region' && result.suggestedRegion && onSwitch) {
    children.push(h('button', {
      type: 'button', className: 'button button--small', 'data-switch-region': result.suggestedRegion,
      onclick: () => onSwitch(result.suggestedRegion),
    }, `Switch to ${domainOf(result.suggestedRegion)}`));
  }
  panel.replaceChildren(...children);
  panel.dataset.outcome = result.outcome;
}

export function clearVerdict(panel) {
  panel.replaceChildren();
  delete panel.dataset.outcome;
}

export function setupAddCredential(app) {
  const dialog = $('#add-dialog');
  const form = $('#add-form');
  const problem = $('#add-problem');
  const verdict = $('#add-verdict');
  const testButton = $('#add-test');
  const saveButton = $('#add-save');
  const fields = {
    name: $('#add-name'),
    description: $('#add-description'),
    appApiKey: $('#add-key'),
    region: $('#add-region'),
  };

  let idempotencyKey = null; // one per opening of the overlay: a double click or a retry creates one credential
  let saving = false;

  function open(opener) {
    form.reset();
    clearFieldErrors(fields);
    showNotice(problem, '');
    clearVerdict(verdict);
    idempotencyKey = newIdempotencyKey();
    openDialog(dialog, opener, fields.name);
  }

  // Closing by any means (Cancel, ×, Escape, after saving) forgets the key: the form is emptied at once.
  function forget() {
    fields.appApiKey.value = '';
    form.reset();
    clearFieldErrors(fields);
    showNotice(problem, '');
    clearVerdict(verdict);
    idempotencyKey = null;
  }
  // While a save is in flight, Escape does not close the overlay (its result must land somewhere).
  whenDismissed(dialog, forget, { canDismiss: () => !saving });

  // A verdict is about the key and region it was run with: editing either makes it stale.
  for (const control of [fields.appApiKey, fields.region]) {
    control.addEventListener('input', () => clearVerdict(verdict));
  }

  function switchRegion(region) {
    fields.region.value = region;
    clearVerdict(verdict);
    verdict.textContent = `API Region Domain is now ${domainOf(region)}. Test again, or Save.`;
    fields.region.focus();
  }

  testButton.addEventListener('click', async () => {
    clearFieldErrors(fields);
    showNotice(problem, '');
    clearVerdict(verdict);
    if (!fields.appApiKey.value.trim()) {
      showFieldErrors(fields, { appApiKey: ['Enter the App API Key to test it.'] }, problem);
      return;
    }
    const restore = busy(testButton, 'Testing…');
    verdict.textContent = `Testing the key against ${domainOf(fields.region.value)}…`;
    try {
      const result = await testUnsavedKey(fields.appApiKey.value, fields.region.value);
      renderVerdict(verdict, result, switchRegion);
    } catch (error) {
      clearVerdict(verdict);
      handleError(error);
    } finally {
      restore();
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (saving) return; // the button is disabled too; this covers a second submit by Enter
    clearFieldErrors(fields);
    showNotice(problem, '');

    const body = {
      name: fields.name.value,
      description: fields.description.value.trim() ? fields.description.value : null,
      appApiKey: fields.appApiKey.value,
      region: fields.region.value,
    };
    saving = true;
    const restore = busy(saveButton, 'Saving…');
    try {
      const created = await createCredential(body, idempotencyKey);
      saving = false;
      forget();
      dialog.close();
      app.credentialCreated(created);
    } catch (error) {
      handleError(error);
    } finally {
      saving = false;
      restore();
    }
  });

  function handleError(error) {
    if (error instanceof ApiError && error.status === 401) {
      app.sessionRejected(error);
      return;
    }
    if (error instanceof ApiError && error.status === 400 && Object.keys(error.fieldErrors).length) {
      showFieldErrors(fields, error.fieldErrors, problem);
      return;
    }
    if (error instanceof ApiError && error.status === 422) {
      showNotice(problem, 'This overlay already saved a credential with other values (its answer may have been lost). ' +
        'Close the overlay and check the list before adding it again.');
      problem.focus();
      return;
    }
    showNotice(problem, app.describe(error));
    problem.focus();
  }

  return { open };
}
