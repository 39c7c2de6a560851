// Native <dialog> with showModal(): the page behind is inert (focus stays inside) and Escape closes it.
// On close, focus goes back to the control that opened the dialog, or to a fallback when that is gone.

const openers = new WeakMap();

export function openDialog(dialog, opener, focusTarget) {
  openers.set(dialog, { opener, fallback: document.getElementById('main') });
  dialog.showModal();
  focusTarget?.focus();
}

/**
 * Runs forget() the moment the dialog is dismissed (Escape, a [data-close] button, or any close), in the same
 * task: the close event itself comes a task later, and a secret must not outlive the overlay by even that.
 * While canDismiss() is false, Escape does nothing (e.g. while a save is in flight).
 */
export function whenDismissed(dialog, forget, { canDismiss = () => true } = {}) {
  dialog.addEventListener('cancel', (event) => {
    if (canDismiss()) forget();
    else event.preventDefault();
  });
  for (const button of dialog.querySelectorAll('[data-close]')) button.addEventListener('click', forget);
  // The close event comes a task later: if the overlay was opened again meanwhile (the browser already gave focus
  // back to its opener), the new opening's form is not the one to empty.
  dialog.addEventListener('close', () => {
    if (!dialog.open) forget();
  });
}

/** Where focus goes when the dialog closes, instead of its opener (e.g. the tile a save just created). */
export function setReturnFocus(dialog, element) {
  const entry = openers.get(dialog);
  if (entry) entry.opener = element;
}

export function closeAllDialogs() {
  for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
}

/** Wires every [data-close] button, and focus return, for all dialogs on the page. */
export function setupDialogs() {
  for (const dialog of document.querySelectorAll('dialog')) {
    for (const button of dialog.querySelectorAll('[data-close]')) {
      button.addEventListener('click', () => dialog.close());
    }
    dialog.addEventListener('close', () => {
      if (dialog.open) return; // a late close event of an earlier opening: focus belongs to the new one
      const { opener, fallback } = openers.get(dialog) ?? {};
      const target = opener?.isConnected && !opener.disabled ? opener : fallback;
      // After the dialog's own close handlers (which may re-render the page) have run.
      queueMicrotask(() => target?.focus());
    });
  }
}
