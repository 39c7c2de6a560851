// Small DOM helpers. Text from the API is only ever set as text (textContent), never parsed as HTML.

/**
 * Creates an element: h('p', { className: 'hint', id: 'x' }, 'text', otherElement).
 * Props whose name starts with "data-" or "aria-" (and "role") become attributes; the rest are properties.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('data-') || name.startsWith('aria-') || name === 'role') element.setAttribute(name, String(value));
    else element[name] = value;
  }
  element.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return element;
}

/** Text only a screen reader reads (e.g. which credential a "Test" button is for). */
export const hiddenText = (text) => h('span', { className: 'visually-hidden' }, text);

export function $(selector, root = document) {
  const element = root.querySelector(selector);
  if (!element) throw new Error(`Missing element ${selector}`);
  return element;
}

/** Shows a message in a notice element (role=alert or status), or hides it when the message is empty. */
export function showNotice(element, message) {
  element.textContent = message ?? '';
  element.hidden = !message;
}

/**
 * Shows the API's field errors next to their fields. fields maps an API field name (name, description,
 * appApiKey, region) to its control; errors the form cannot place go to the form's notice.
 * Returns true when at least one error was placed on a field (and focuses the first such field).
 */
export function showFieldErrors(fields, errors, notice) {
  clearFieldErrors(fields);
  const unplaced = [];
  let first = null;
  for (const [field, messages] of Object.entries(errors)) {
    const control = fields[field];
    if (!control) {
      unplaced.push(...messages);
      continue;
    }
    const error = document.getElementById(`${control.id}-error`);
    error.textContent = messages.join(' ');
    error.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    first ??= control;
  }
  if (unplaced.length && notice) showNotice(notice, unplaced.join(' '));
  (first ?? notice)?.focus?.();
  return first !== null;
}

export function clearFieldErrors(fields) {
  for (const control of Object.values(fields)) {
    const error = document.getElementById(`${control.id}-error`);
    if (error) {
      error.textContent = '';
      error.hidden = true;
    }
    control.removeAttribute('aria-invalid');
  }
}

/** Marks a button busy: disabled, with a label saying what is happening; returns a function that restores it. */
export function busy(button, label) {
  const original = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = label;
  return () => {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = original;
  };
}
