// How values from the API read on the page: regions, test verdicts, times, audit actions.
import { h } from './dom.js';

const REGION_DOMAINS = { us: 'api.customer.io', eu: 'api-eu.customer.io' };

export const domainOf = (region) => REGION_DOMAINS[region] ?? region;

/**
 * Each test outcome (docs/api.md §Connection tests) as a word, a symbol and a tone. The tone picks a colour, but the word and the
 * symbol carry the meaning on their own, so nothing depends on seeing colour.
 */
const OUTCOMES = {
  ok: { label: 'Connection OK', symbol: '✓', tone: 'good' },
  invalid_key: { label: 'Invalid key', symbol: '✕', tone: 'bad' },
  wrong_region: { label: 'Wrong region', symbol: '⚠', tone: 'warn' },
  forbidden: { label: 'Forbidden', symbol: '✕', tone: 'bad' },
  rate_limited: { label: 'Rate limited', symbol: '⏸', tone: 'warn' },
  upstream_error: { label: 'Customer.io error', symbol: '⚠', tone: 'warn' },
  timeout: { label: 'Timed out', symbol: '⏱', tone: 'warn' },
  unreachable: { label: 'Customer.io unreachable', symbol: '✕', tone: 'bad' },
};

export const outcomeLabel = (outcome) => OUTCOMES[outcome]?.label ?? outcome;

/** A badge such as "✓ Connection OK", with data-outcome for styling and tests. */
export function verdictBadge(result) {
  const known = OUTCOMES[result.outcome] ?? { label: result.outcome, symbol: '?', tone: 'warn' };
  return h('span', { className: `verdict verdict--${known.tone}`, 'data-outcome': result.outcome },
    h('span', { className: 'verdict__symbol', 'aria-hidden': 'true' }, known.symbol),
    ` ${known.label}`);
}

/** The badge, the time of the test, and where asked the service's message. */
export function verdictSummary(result, { withMessage = false } = {}) {
  return h('span', { className: 'verdict-summary' },
    verdictBadge(result),
    ' ',
    timeElement(result.testedAt, 'tested '),
    result.outcome === 'ok' && result.workspaces?.length
      ? h('span', { className: 'verdict-workspace' }, ` · workspace ${result.workspaces.map((w) => w.name).join(', ')}`)
      : null,
    withMessage ? h('span', { className: 'verdict-message' }, result.message) : null);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The API's times are UTC (ISO 8601 with Z); they are shown in the reader's time zone. */
function parseTime(iso) {
  if (typeof iso !== 'string') return null;
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function timeElement(iso, prefix = '') {
  const date = parseTime(iso);
  if (!date) return h('span', {}, '');
  return h('span', { className: 'time' }, prefix,
    h('time', { dateTime: date.toISOString(), title: date.toISOString() }, dateTime.format(date)));
}

export const formatDate = (date) => dateTime.format(date);

const ACTIONS = {
  created: 'Created',
  updated: 'Edited',
  key_rotated: 'Key rotated',
  tested: 'Tested',
  secret_read: 'Key read by an integration',
  deleted: 'Deleted',
  usage_added: 'Selected for a source or destination',
  usage_removed: 'No longer used by a source or destination',
  verdict_changed: 'Test result changed',
};

export const actionLabel = (action) => ACTIONS[action] ?? action;

const FIELD_NAMES = { name: 'name', description: 'description', region: 'region', appApiKey: 'key' };

/** An audit event's detail in words: "Changed: name, region · Region: api-eu.customer.io · Key ending in c3f9". */
export function eventDetail(detail) {
  if (!detail) return '';
  const parts = [];
  if (detail.changedFields?.length) parts.push(`Changed: ${detail.changedFields.map((f) => FIELD_NAMES[f] ?? f).join(', ')}`);
  if (detail.outcome) parts.push(`Result: ${outcomeLabel(detail.outcome)}`);
  if (detail.region) parts.push(`Region: ${domainOf(detail.region)}`);
  if (detail.appApiKeyLast4) parts.push(`Key ending in ${detail.appApiKeyLast4}`);
  if (detail.count > 1) {
    const since = detail.firstAt ? ` since ${new Date(detail.firstAt).toLocaleTimeString()}` : '';
    parts.push(`${detail.count} reads${since}`);
  }
  return parts.join(' · ');
}
