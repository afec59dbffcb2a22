/**
 * The state machines as Mermaid flowcharts, generated from statemachine/*.asl.json (the one source of each
 * definition) into docs/architecture.md between `<!-- BEGIN GENERATED: <name> -->` and `<!-- END GENERATED: <name> -->`.
 *
 *   npm run docs:diagrams            rewrite the diagrams
 *   tests/statemachine/diagrams.test.ts fails when a diagram is stale (a definition changed, the doc did not)
 *
 * Tasks are boxes, Choices diamonds, Waits stadiums, Pass states subroutines, Succeed/Fail circles; a Parallel or
 * Map is a subgraph around its branches. Solid arrows are Next/Default/choice rules (labelled with the rule),
 * dotted arrows are Catch (labelled with the errors).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DOC = path.join(ROOT, 'docs/architecture.md');
export const MACHINES = ['provision', 'teardown'] as const;

interface Rule {
  Variable?: string;
  Next?: string;
  And?: Rule[];
  Or?: Rule[];
  Not?: Rule;
  [comparison: string]: unknown;
}
interface State {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Rule[];
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
  Branches?: Machine[];
  Iterator?: Machine;
  ItemProcessor?: Machine;
}
interface Machine {
  StartAt: string;
  States: Record<string, State>;
}

/** Comparison suffixes, longest first (GreaterThanEquals before Equals). */
const OPERATORS: ReadonlyArray<[string, string]> = [
  ['GreaterThanEquals', '>='],
  ['LessThanEquals', '<='],
  ['GreaterThan', '>'],
  ['LessThan', '<'],
  ['Equals', '=='],
  ['Matches', 'matches'],
];

/** `$.gatewayPoll.ready == true`, `$.a >= $.limits.max`, `not (...)`, `... and ...`. */
export function describeRule(rule: Rule): string {
  if (rule.And) return rule.And.map(describeRule).join(' and ');
  if (rule.Or) return rule.Or.map(describeRule).join(' or ');
  if (rule.Not) return `not (${describeRule(rule.Not)})`;
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next') continue;
    if (key === 'IsPresent') return `${rule.Variable} ${value ? 'present' : 'absent'}`;
    if (key.startsWith('Is')) return `${rule.Variable} ${value ? 'is' : 'is not'} ${key.slice(2).toLowerCase()}`;
    const path = key.endsWith('Path');
    const base = path ? key.slice(0, -4) : key;
    const op = OPERATORS.find(([suffix]) => base.endsWith(suffix));
    const shown = path ? String(value) : JSON.stringify(value);
    return `${rule.Variable} ${op ? op[1] : base} ${shown}`;
  }
  return 'rule';
}

const id = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');
const label = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;

function node(name: string, state: State): string {
  const n = id(name);
  const l = label(name);
  switch (state.Type) {
    case 'Choice':
      return `${n}{${l}}`;
    case 'Wait':
      return `${n}([${l}])`;
    case 'Pass':
      return `${n}[[${l}]]`;
    case 'Succeed':
      return `${n}((${l}))`;
    case 'Fail':
      return `${n}(((${l})))`;
    default:
      return `${n}[${l}]`;
  }
}

function render(machine: Machine, lines: string[], indent: string, topLevel: boolean): void {
  for (const [name, state] of Object.entries(machine.States)) {
    const inner =
      state.Type === 'Parallel'
        ? state.Branches
        : state.Type === 'Map'
          ? [state.ItemProcessor ?? state.Iterator]
          : undefined;
    if (inner) {
      lines.push(`${indent}subgraph ${id(name)} [${label(`${name} (${state.Type})`)}]`);
      inner.forEach((branch, i) => {
        if (!branch) return;
        const entry = inner.length > 1 ? `branch ${i + 1}` : 'each item';
        lines.push(`${indent}  ${id(name)}_start${i}((${label(entry)})) --> ${id(branch.StartAt)}`);
        render(branch, lines, `${indent}  `, false);
      });
      lines.push(`${indent}end`);
    } else lines.push(`${indent}${node(name, state)}`);
  }
  for (const [name, state] of Object.entries(machine.States)) {
    const from = id(name);
    if (state.Next) lines.push(`${indent}${from} --> ${id(state.Next)}`);
    for (const rule of state.Choices ?? [])
      if (rule.Next) lines.push(`${indent}${from} -->|${label(describeRule(rule))}| ${id(rule.Next)}`);
    if (state.Default) lines.push(`${indent}${from} -->|otherwise| ${id(state.Default)}`);
    for (const c of state.Catch ?? [])
      lines.push(`${indent}${from} -.->|${label(`catch ${c.ErrorEquals.join(', ')}`)}| ${id(c.Next)}`);
    if (state.End && topLevel) lines.push(`${indent}${from} --> stop((end))`);
  }
}

/** The Mermaid source of one definition. */
export function mermaidOf(definition: Machine): string {
  const lines = ['flowchart TD', `  start((start)) --> ${id(definition.StartAt)}`];
  render(definition, lines, '  ', true);
  return lines.join('\n');
}

export function readDefinition(name: (typeof MACHINES)[number]): Machine {
  return JSON.parse(readFileSync(path.join(ROOT, 'statemachine', `${name}.asl.json`), 'utf8')) as Machine;
}

/** The generated block of one machine, markers included. */
export function block(name: (typeof MACHINES)[number]): string {
  return [
    `<!-- BEGIN GENERATED: ${name} (npm run docs:diagrams, from statemachine/${name}.asl.json; do not edit) -->`,
    '```mermaid',
    mermaidOf(readDefinition(name)),
    '```',
    `<!-- END GENERATED: ${name} -->`,
  ].join('\n');
}

const blockPattern = (name: string) =>
  new RegExp(`<!-- BEGIN GENERATED: ${name} [^\\n]*-->[\\s\\S]*?<!-- END GENERATED: ${name} -->`);

/** The doc's current block of one machine (undefined when the markers are missing). */
export function currentBlock(doc: string, name: string): string | undefined {
  return blockPattern(name).exec(doc)?.[0];
}

/** The doc with every block regenerated. */
export function regenerate(doc: string): string {
  let out = doc;
  for (const name of MACHINES) {
    if (!currentBlock(out, name)) throw new Error(`${DOC}: no "<!-- BEGIN GENERATED: ${name} ..." block`);
    out = out.replace(blockPattern(name), () => block(name));
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const before = readFileSync(DOC, 'utf8');
  const after = regenerate(before);
  if (after !== before) writeFileSync(DOC, after);
  process.stdout.write(`${after === before ? 'up to date' : 'rewrote'}: ${path.relative(ROOT, DOC)}\n`);
}
