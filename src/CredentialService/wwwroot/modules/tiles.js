// One tile per credential: name, description, region domain, last four of the key, last test with its time,
// and the tile's actions. The tile is built once; fillTile() refreshes its content without replacing the
// buttons, so keyboard focus stays where it was after an action.
import { h, hiddenText } from './dom.js';
import { verdictSummary } from './format.js';

export const ACTIONS = [
  { action: 'test', label: 'Test' },
  { action: 'edit', label: 'Edit' },
  { action: 'rotate', label: 'Rotate key' },
  { action: 'history', label: 'History' },
  { action: 'delete', label: 'Delete', className: 'button--danger-quiet' },
];

export function createTile(credential) {
  const headingId = `tile-${credential.id}-name`;
  const tile = h('li', { className: 'tile', 'data-credential-id': credential.id },
    h('article', { className: 'tile__card', 'aria-labelledby': headingId },
      h('h3', { className: 'tile__name', id: headingId, tabIndex: -1 }),
      h('p', { className: 'tile__description' }),
      h('dl', { className: 'tile__facts' },
        h('div', {}, h('dt', {}, 'Region domain'), h('dd', { className: 'tile__domain' })),
        h('div', {}, h('dt', {}, 'App API Key'), h('dd', { className: 'tile__key' })),
        h('div', {}, h('dt', {}, 'Last test'), h('dd', { className: 'tile__last-test' })),
        h('div', {}, h('dt', {}, 'Used by'), h('dd', { className: 'tile__usages' }))),
      h('p', { className: 'tile__message', role: 'status', 'aria-live': 'polite' }),
      h('div', { className: 'tile__actions' },
        ACTIONS.map(({ action, label, className }) =>
          h('button', { type: 'button', className: `button button--small ${className ?? ''}`.trim(), 'data-action': action },
            label, hiddenText(''))))));
  fillTile(tile, credential);
  return tile;
}

export function fillTile(tile, credential) {
  tile.querySelector('.tile__name').textContent = credential.name;

  const description = tile.querySelector('.tile__description');
  description.textContent = credential.description ?? 'No description';
  description.classList.toggle('muted', !credential.description);

  tile.querySelector('.tile__domain').textContent = credential.apiDomain;
  tile.querySelector('.tile__key').replaceChildren(
    h('span', { 'aria-hidden': 'true' }, '•••• '),
    hiddenText('ending in '),
    h('span', { className: 'tile__last4' }, credential.appApiKeyLast4));

  tile.querySelector('.tile__last-test').replaceChildren(credential.lastTest
    ? verdictSummary(credential.lastTest)
    : h('span', { className: 'verdict verdict--none', 'data-outcome': 'none' }, 'Not tested yet'));

  const usages = credential.usageCount ?? 0;
  const usageText = tile.querySelector('.tile__usages');
  usageText.textContent = usages === 0 ? 'Not in use' : `${usages} source${usages === 1 ? '' : 's'} or destination${usages === 1 ? '' : 's'}`;
  usageText.dataset.count = String(usages);

  // Each button's accessible name says which credential it acts on ("Test Marketing").
  for (const label of tile.querySelectorAll('.tile__actions .visually-hidden')) {
    label.textContent = ` ${credential.name}`;
  }
}

/** The verdict message of a test just run from the tile (the badge itself is in "Last test"). */
export function showTileMessage(tile, message, tone = 'neutral') {
  const element = tile.querySelector('.tile__message');
  element.textContent = message ?? '';
  element.dataset.tone = tone;
}
