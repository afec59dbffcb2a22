// The sandbox console: polls the sandbox's APIs, renders connections, executions, the selected execution's graph,
// its request's resources and events, and the fault rules. Selection lives in the URL hash (#exec=<arn>).
import * as api from './api.js';
import { indexMachine } from './asl.js';
import { renderEvents } from './events.js';
import { mountFaults } from './faults.js';
import { drawGraph } from './graph.js';
import { childExecutions, stateRuns } from './history.js';
import { h, duration, pill, time } from './dom.js';
import { renderResources, resourcesOf } from './resources.js';

const POLL_MS = 1000;
const $ = (id) => document.getElementById(id);

/** Definitions (DescribeStateMachine) by machine ARN, and which is which. */
const machines = new Map();
/** DescribeExecution inputs by ARN (an execution's input never changes). */
const inputs = new Map();
/** The selected execution's history, kept while it is closed. */
const histories = new Map();
let graph; // { arn, update }
let faults;
let latest = { state: undefined, records: [], executions: [] };
let tab = 'graph';

function selectedArn() {
  const m = /exec=([^&]+)/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : undefined;
}
function select(arn) {
  location.hash = `exec=${encodeURIComponent(arn)}`;
}

async function loadMachines() {
  for (const sm of await api.listStateMachines()) {
    const d = await api.describeStateMachine(sm.stateMachineArn);
    const kind = /teardown$/.test(sm.name) ? 'teardown' : /provision$/.test(sm.name) ? 'provision' : sm.name;
    machines.set(sm.stateMachineArn, {
      arn: sm.stateMachineArn,
      name: sm.name,
      kind,
      machine: indexMachine(JSON.parse(d.definition)),
    });
  }
}
const machineOfKind = (kind) => [...machines.values()].find((m) => m.kind === kind);

/** Inputs and histories are cached per run: a reset sandbox reuses execution names. */
const runKey = (arn, startDate) => `${arn}@${startDate}`;

async function inputOf(e) {
  const key = runKey(e.executionArn, e.startDate);
  if (!inputs.has(key)) inputs.set(key, JSON.parse((await api.describeExecution(e.executionArn)).input ?? '{}'));
  return inputs.get(key);
}
const inputByArn = (arn) => {
  const e = latest.executions.find((x) => x.executionArn === arn);
  return e ? inputs.get(runKey(arn, e.startDate)) : undefined;
};

async function poll() {
  const [state, records, faultRules, ...lists] = await Promise.all([
    api.control('state'),
    api.control('records'),
    api.control('faults'),
    ...[...machines.values()].map((m) => api.listExecutions(m.arn)),
  ]);
  const executions = lists.flat().sort((a, b) => b.startDate - a.startDate);
  await Promise.all(executions.map(inputOf));
  latest = { state, records: records.items, executions };
  $('endpoint').textContent = `${state.endpoint} · profile ${state.profile.name}`;
  renderConnections();
  renderExecutions();
  faults.update(faultRules.rules);
  await renderSelected();
}

function requestIdOf(executionArn) {
  const input = inputByArn(executionArn) ?? {};
  return input.requestId ?? input.request?.requestId ?? input.detail?.requestId;
}

function renderConnections() {
  const metas = latest.records
    .filter((i) => i.sk === 'META')
    .sort((a, b) => String(b.updatedAt).localeCompare(String(a.updatedAt)));
  const byArn = new Map(latest.executions.map((e) => [e.executionArn, e]));
  const took = (arn) => {
    const e = byArn.get(arn);
    return e ? (e.stopDate ? duration(e.startDate, e.stopDate) : 'running') : '';
  };
  $('connections').replaceChildren(
    metas.length
      ? h(
          'table.list',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [
                'request',
                'status',
                'environment',
                'VPC',
                'phase',
                'attempt',
                'provisioning took',
                'teardown took',
                'updated',
              ].map((c) => h('th', {}, c)),
            ),
          ),
          h(
            'tbody',
            {},
            metas.map((r) =>
              h(
                'tr.clickable',
                {
                  'data-request': r.requestId,
                  class: `clickable${requestIdOf(selectedArn() ?? '') === r.requestId ? ' selected' : ''}`,
                  onclick: () => select(r.executionArn),
                },
                h('td', {}, r.requestId),
                h('td', { 'data-testid': 'connection-status' }, pill(r.status)),
                h('td', {}, r.environmentId ?? ''),
                h('td', {}, r.vpcId ?? ''),
                h('td', {}, r.phase ?? ''),
                h('td', {}, r.attempt ?? ''),
                h('td', {}, took(r.executionArn)),
                h('td', {}, r.teardownExecutionArn ? took(r.teardownExecutionArn) : ''),
                h('td', {}, time(r.updatedAt)),
              ),
            ),
          ),
        )
      : h('p.muted', {}, 'No requests yet: start the sample provisioning.'),
  );
}

/** UUID names (nested executions) shortened to their first group. */
const shortName = (name) =>
  /^[0-9a-f]{8}-[0-9a-f-]{27}$/.test(name) ? `${name.slice(0, 8)}…` : name.length > 30 ? `${name.slice(0, 29)}…` : name;

function renderExecutions() {
  const current = selectedArn();
  $('executions').replaceChildren(
    latest.executions.length
      ? h(
          'table.list',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['execution', 'machine', 'status', 'started', 'took'].map((c) => h('th', {}, c)),
            ),
          ),
          h(
            'tbody',
            {},
            latest.executions.map((e) =>
              h(
                'tr',
                {
                  class: `clickable${e.executionArn === current ? ' selected' : ''}`,
                  'data-execution': e.name,
                  onclick: () => select(e.executionArn),
                },
                h('td', { title: e.executionArn }, shortName(e.name)),
                h('td', {}, machines.get(e.stateMachineArn)?.kind ?? ''),
                h('td', {}, pill(e.status)),
                h('td', {}, time(e.startDate)),
                h('td', {}, e.stopDate ? duration(e.startDate, e.stopDate) : '…'),
              ),
            ),
          ),
        )
      : h('p.muted', {}, 'No executions yet.'),
  );
}

async function historyOf(arn, startDate, status) {
  const key = runKey(arn, startDate);
  const cached = histories.get(key);
  if (cached?.closed) return cached.events;
  const events = await api.executionHistory(arn);
  histories.set(key, { events, closed: status !== 'RUNNING' });
  return events;
}

/** The rollback/teardown an execution started, also while it still runs (its input names the parent). */
function childrenOf(arn, runs) {
  const known = childExecutions(runs);
  for (const e of latest.executions) {
    if (
      inputByArn(e.executionArn)?.AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID === arn &&
      !known.some((k) => k.executionArn === e.executionArn)
    ) {
      known.push({ state: 'Rollback', executionArn: e.executionArn });
    }
  }
  return known;
}

function executionLink(arn, text) {
  const e = latest.executions.find((x) => x.executionArn === arn);
  return h(
    'a',
    { href: `#exec=${encodeURIComponent(arn)}`, 'data-testid': 'execution-link' },
    text,
    ' ',
    h('code', {}, arn.split(':').pop()),
    ' ',
    e ? pill(e.status) : '',
  );
}

async function renderSelected() {
  const arn = selectedArn();
  if (!arn) {
    $('selected-title').replaceChildren('Select a connection or an execution, or start the sample');
    for (const id of ['selected-links', 'graph', 'resources', 'events']) $(id).replaceChildren();
    graph = undefined;
    return;
  }
  let d;
  try {
    d = await api.describeExecution(arn);
  } catch (err) {
    // Gone (the sandbox was reset elsewhere): drop the selection instead of failing every poll.
    if (!(err instanceof api.ApiError) || err.code !== 'ExecutionDoesNotExist') throw err;
    history.replaceState(null, '', location.pathname);
    return renderSelected();
  }
  const m = machines.get(d.stateMachineArn);
  const events = await historyOf(arn, d.startDate, d.status);
  const runs = stateRuns(m.machine, events, d.status);
  const parent = inputByArn(arn)?.AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID;
  $('selected-title').replaceChildren(
    h('span', {}, `${m.kind} `, h('b', { 'data-testid': 'exec-name' }, d.name), ' '),
    h('span', { 'data-testid': 'exec-status', 'data-status': d.status }, pill(d.status)),
    h(
      'span.muted',
      {},
      ` ${d.stopDate ? duration(d.startDate, d.stopDate) : 'running…'} · ${events.length} history events`,
    ),
  );
  const links = [
    ...childrenOf(arn, runs).map((c) =>
      h('div', {}, `${c.state} ran `, executionLink(c.executionArn, 'nested execution')),
    ),
    parent ? h('div', {}, 'Started by ', executionLink(parent, 'parent execution')) : '',
    d.error ? h('div.error', { 'data-testid': 'exec-error' }, h('b', {}, d.error), ': ', causeText(d.cause)) : '',
  ];
  $('selected-links').replaceChildren(...links);
  if (graph?.arn !== m.arn) graph = { arn: m.arn, ...drawGraph($('graph'), m.machine) };
  graph.update(runs);
  const requestId = requestIdOf(arn);
  if (latest.state && requestId) {
    renderResources($('resources'), resourcesOf(latest.state, latest.records, requestId), requestId);
    renderEvents($('events'), latest.state.events, requestId);
  }
}

function causeText(cause) {
  try {
    const c = JSON.parse(cause);
    return c.errorMessage ?? c.Cause ?? cause;
  } catch {
    return cause ?? '';
  }
}

async function start(kind) {
  const samples = await api.control('ui/samples');
  const m = machineOfKind(kind);
  const input = kind === 'provision' ? samples.provision : samples.teardown;
  const base = kind === 'provision' ? input.requestId : `${input.requestId}-teardown`;
  try {
    const out = await api.startNamed(m.arn, base, input);
    $('action-message').textContent = `${out.followed ? 'following' : 'started'} ${out.executionArn.split(':').pop()}`;
    select(out.executionArn);
    await poll();
  } catch (err) {
    $('action-message').textContent = err.message;
  }
}

function showTab(name) {
  tab = name;
  for (const b of document.querySelectorAll('[data-tab]')) b.classList.toggle('active', b.dataset.tab === name);
  for (const p of document.querySelectorAll('[data-panel]')) p.hidden = p.dataset.panel !== name;
}

async function loop() {
  try {
    await poll();
    $('poll-error').textContent = '';
  } catch (err) {
    $('poll-error').textContent = `cannot reach the sandbox: ${err.message}`;
  }
  setTimeout(loop, POLL_MS);
}

async function main() {
  faults = mountFaults($('faults'), poll);
  $('start-provision').addEventListener('click', () => start('provision'));
  $('start-teardown').addEventListener('click', () => start('teardown'));
  $('reset').addEventListener('click', async () => {
    await api.control('reset', { method: 'POST' });
    histories.clear();
    inputs.clear();
    history.replaceState(null, '', location.pathname);
    $('action-message').textContent = 'sandbox reset';
    await poll();
  });
  for (const b of document.querySelectorAll('[data-tab]')) b.addEventListener('click', () => showTab(b.dataset.tab));
  window.addEventListener('hashchange', () => void poll());
  showTab(tab);
  await loadMachines();
  await loop();
}

void main();
