// The state machine definition (ASL, as DescribeStateMachine returns it) as a flat index of states and their edges.

/**
 * @typedef {{ name: string, type: string, def: any, parent?: string, inMap: boolean, resource?: string }} StateInfo
 * @typedef {{ from: string, to: string, kind: 'next' | 'choice' | 'default' | 'catch', label?: string }} Edge
 * @typedef {{ states: Map<string, StateInfo>, edges: Edge[], startAt: string, blocks: Map<string, string[]> }} Machine
 */

/** Where a block (Parallel branch, Map iterator) or the machine ends: its End states. */
export const endNode = (block) => `${block}#end`;

/** The Task resource the history names: a Lambda ARN, or arn:aws:states:::<service>:<api> for integrations. */
function taskResource(def) {
  return typeof def.Resource === 'string' ? def.Resource : undefined;
}

/** @returns {Machine} */
export function indexMachine(definition) {
  /** @type {Map<string, StateInfo>} */
  const states = new Map();
  /** @type {Edge[]} */
  const edges = [];
  /** block name -> the states directly inside it ('' = top level) */
  const blocks = new Map();

  const walk = (block, container, parent, inMap) => {
    blocks.set(block, Object.keys(container.States));
    for (const [name, def] of Object.entries(container.States)) {
      states.set(name, { name, type: def.Type, def, parent, inMap, resource: taskResource(def) });
      // A Parallel or Map is entered at its own node and left from its end node.
      const source = def.Type === 'Parallel' || def.Type === 'Map' ? endNode(name) : name;
      if (def.Next) edges.push({ from: source, to: def.Next, kind: 'next' });
      if (def.End && parent) edges.push({ from: source, to: endNode(parent), kind: 'next' });
      for (const c of def.Choices ?? []) edges.push({ from: name, to: c.Next, kind: 'choice', label: choiceLabel(c) });
      if (def.Default) edges.push({ from: name, to: def.Default, kind: 'default', label: 'default' });
      for (const c of def.Catch ?? [])
        edges.push({ from: source, to: c.Next, kind: 'catch', label: `catch ${c.ErrorEquals.join(', ')}` });
      if (def.Type === 'Parallel') {
        def.Branches.forEach((branch, i) => {
          walk(`${name}/${i}`, branch, name, inMap);
          edges.push({ from: name, to: branch.StartAt, kind: 'next' });
        });
      }
      if (def.Type === 'Map') {
        const processor = def.ItemProcessor ?? def.Iterator;
        walk(`${name}/0`, processor, name, true);
        edges.push({ from: name, to: processor.StartAt, kind: 'next' });
      }
    }
  };
  walk('', definition, undefined, false);
  return { states, edges, startAt: definition.StartAt, blocks };
}

const OPERATORS = {
  Equals: '==',
  GreaterThan: '>',
  GreaterThanEquals: '>=',
  LessThan: '<',
  LessThanEquals: '<=',
  Matches: '~',
};
const path = (p) => String(p).replace(/^\$\.?/, '');

/** "gatewayPoll.ready == true" for a simple rule; the operator's name for And / Or / Not. */
function choiceLabel(choice) {
  const op = Object.keys(choice).find((k) => k !== 'Variable' && k !== 'Next');
  if (!op || choice.Variable === undefined) return op ?? '';
  const m = /^(?:String|Numeric|Boolean|Timestamp)?(.*?)(Path)?$/.exec(op);
  const symbol = OPERATORS[m?.[1] ?? ''] ?? op;
  const value = m?.[2] ? path(choice[op]) : JSON.stringify(choice[op]);
  return `${path(choice.Variable)} ${symbol} ${value}`;
}
