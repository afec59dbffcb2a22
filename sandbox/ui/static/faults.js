// Fault rules (/_sandbox/faults, the design's fault contract): list with counts, add from a form or a preset, clear.
import { control } from './api.js';
import { h } from './dom.js';

/** The common ones, one click away. */
export const PRESETS = [
  {
    label: 'CreateNetworkInterface fails at call 26 with InsufficientFreeAddressesInSubnet',
    rule: { service: 'ec2', action: 'CreateNetworkInterface', error: 'InsufficientFreeAddressesInSubnet', onCall: 26 },
  },
  {
    label: 'RequestLimitExceeded on 3 CreateNetworkInterface calls (retried)',
    rule: { service: 'ec2', action: 'CreateNetworkInterface', error: 'RequestLimitExceeded', onCall: 5, times: 3 },
  },
  {
    label: 'CreateNetworkInterfacePermission fails at call 10 with UnauthorizedOperation',
    rule: { service: 'ec2', action: 'CreateNetworkInterfacePermission', error: 'UnauthorizedOperation', onCall: 10 },
  },
  {
    label: 'Confluent gateway goes FAILED while provisioning',
    rule: { service: 'confluent', resource: 'gateway', phase: 'FAILED', when: 'PROVISIONING' },
  },
  {
    label: 'POST access point answers 422',
    rule: {
      service: 'confluent',
      action: 'POST /networking/v1/access-points',
      error: 422,
      message: 'injected by the console',
    },
  },
  {
    label: 'Lambda grantPermissions crashes after its side effect (once)',
    rule: { service: 'lambda', action: 'grantPermissions', error: 'Sandbox.Crash', afterSideEffect: true },
  },
];

/** The form's fields as a rule: only what was filled in; numbers where the contract wants numbers. */
function ruleFromForm(form) {
  const data = new FormData(form);
  const rule = {};
  for (const [k, raw] of data.entries()) {
    const v = String(raw).trim();
    if (!v) continue;
    if (k === 'onCall' || k === 'times' || k === 'notFoundForMs' || (k === 'error' && /^\d+$/.test(v)))
      rule[k] = Number(v);
    else if (k === 'afterSideEffect') rule[k] = true;
    else rule[k] = v;
  }
  return rule;
}

function describe(rule) {
  if (rule.resource) return `${rule.service} ${rule.resource} → ${rule.phase} when ${rule.when}`;
  if (rule.notFoundForMs !== undefined)
    return `${rule.service} ${rule.action}: new ids invisible ${rule.notFoundForMs} ms`;
  const times = rule.times === -1 ? 'every call' : `${rule.times ?? 1} call${(rule.times ?? 1) > 1 ? 's' : ''}`;
  return `${rule.service} ${rule.action} → ${rule.error} from call ${rule.onCall ?? 1}, ${times}${rule.afterSideEffect ? ', after the side effect' : ''}`;
}

/** Builds the presets and the form once (typing survives polling); `update` redraws the rule list. */
export function mountFaults(host, refresh) {
  const message = h('div.form-message', { 'data-testid': 'fault-message', role: 'status' });
  const say = (text, kind) => {
    message.textContent = text;
    message.className = `form-message ${kind}`;
  };
  const add = async (rule) => {
    try {
      const out = await control('faults', { method: 'POST', body: rule });
      say(`added ${out.rules.map((r) => r.id).join(', ')}`, 'ok');
      await refresh();
    } catch (err) {
      say(err.message, 'error');
    }
  };
  const form = h(
    'form.fault-form',
    {
      onsubmit: (ev) => {
        ev.preventDefault();
        void add(ruleFromForm(ev.target));
      },
    },
    h(
      'label',
      {},
      'service ',
      h(
        'select',
        { name: 'service' },
        ['ec2', 'confluent', 'lambda'].map((s) => h('option', {}, s)),
      ),
    ),
    h('label', {}, 'action ', h('input', { name: 'action', placeholder: 'CreateNetworkInterface', size: 22 })),
    h('label', {}, 'error ', h('input', { name: 'error', placeholder: 'code / HTTP status', size: 14 })),
    h('label', {}, 'on call ', h('input', { name: 'onCall', type: 'number', min: 1, style: 'width:4em' })),
    h('label', {}, 'times ', h('input', { name: 'times', type: 'number', min: -1, style: 'width:4em' })),
    h('label', {}, 'message ', h('input', { name: 'message', size: 14 })),
    h('button', { type: 'submit' }, 'Add rule'),
  );
  const list = h('ul.faults', { 'data-testid': 'fault-list' });
  const clear = h(
    'button',
    {
      type: 'button',
      'data-testid': 'clear-faults',
      onclick: async () => {
        await control('faults', { method: 'DELETE' });
        say('cleared', 'ok');
        await refresh();
      },
    },
    'Clear all rules',
  );
  host.replaceChildren(
    h(
      'div.presets',
      {},
      PRESETS.map((p, i) =>
        h('button.preset', { type: 'button', 'data-preset': String(i), onclick: () => add(p.rule) }, p.label),
      ),
    ),
    form,
    message,
    list,
    clear,
  );
  return {
    update(rules) {
      list.replaceChildren(
        ...(rules.length
          ? rules.map((r) =>
              h(
                'li',
                { 'data-rule': r.id },
                h('code', {}, r.id),
                ' ',
                describe(r),
                h('span.muted', {}, ` — matched ${r.matched}, fired ${r.fired}`),
              ),
            )
          : [h('li.muted', {}, 'no fault rules')]),
      );
    },
  };
}
