/**
 * docs/architecture.md shows the state machines as Mermaid diagrams generated from statemachine/*.asl.json
 * (scripts/asl-mermaid.ts). A definition that changed without `npm run docs:diagrams` fails here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DOC,
  MACHINES,
  ROOT,
  block,
  currentBlock,
  describeRule,
  mermaidOf,
  readDefinition,
} from '#scripts/asl-mermaid.js';

const doc = readFileSync(DOC, 'utf8');

describe('docs/architecture.md diagrams', () => {
  test.each(MACHINES)('%s: the diagram is the one generated from the ASL (run `npm run docs:diagrams`)', (name) => {
    expect(currentBlock(doc, name)).toBe(block(name));
  });

  test.each(MACHINES)('%s: every state of the definition is in the diagram', (name) => {
    const definition = readDefinition(name);
    const text = mermaidOf(definition);
    const names: string[] = [];
    const walk = (m: {
      States: Record<string, { Branches?: unknown[]; ItemProcessor?: unknown; Iterator?: unknown }>;
    }) => {
      for (const [n, s] of Object.entries(m.States)) {
        names.push(n);
        for (const b of [...(s.Branches ?? []), s.ItemProcessor, s.Iterator]) if (b) walk(b as typeof m);
      }
    };
    walk(definition);
    expect(names.length).toBeGreaterThan(10);
    for (const n of names) expect(text).toContain(`"${n}`);
  });

  test('choice rules read as conditions', () => {
    expect(describeRule({ Variable: '$.a', NumericGreaterThanEqualsPath: '$.limits.max', Next: 'X' })).toBe(
      '$.a >= $.limits.max',
    );
    expect(describeRule({ Variable: '$.ok', BooleanEquals: true })).toBe('$.ok == true');
    expect(describeRule({ Not: { Variable: '$.s', StringEquals: 'A' } })).toBe('not ($.s == "A")');
    expect(describeRule({ Variable: '$.x', IsPresent: false })).toBe('$.x absent');
  });
});

describe('references into the architecture', () => {
  /** Tracked text files (git ls-files), minus vendored specs. */
  const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => /\.(ts|cjs|js|json|md|yml|yaml)$/.test(f) && !f.startsWith('sandbox/confluent/openapi/'))
    .filter((f) => f !== 'package-lock.json' && existsSync(join(ROOT, f)));
  const sections = new Set([...doc.matchAll(/^## (\d+)\. /gm)].map((m) => m[1]));

  test('nothing cites the design document outside the repo', () => {
    const outside = files.filter(
      (f) =>
        f !== 'tests/statemachine/diagrams.test.ts' &&
        /ARCHITECTURE section|shared\/design|ec2-api\.md/.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(outside).toEqual([]);
  });

  test('every "docs/architecture.md section N" names a section that exists', () => {
    const cited = files.flatMap((f) =>
      [...readFileSync(join(ROOT, f), 'utf8').matchAll(/architecture\.md\)? section (\d+)/g)].map((m) => ({
        f,
        n: m[1],
      })),
    );
    expect(cited.length).toBeGreaterThan(20);
    expect(cited.filter(({ n }) => !sections.has(n))).toEqual([]);
  });
});
