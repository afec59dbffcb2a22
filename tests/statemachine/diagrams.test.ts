/**
 * docs/architecture.md shows the state machines as Mermaid diagrams generated from statemachine/*.asl.json
 * (scripts/asl-mermaid.ts). A definition that changed without `npm run docs:diagrams` fails here.
 */
import { readFileSync } from 'node:fs';
import { DOC, MACHINES, block, currentBlock, describeRule, mermaidOf, readDefinition } from '#scripts/asl-mermaid.js';

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
