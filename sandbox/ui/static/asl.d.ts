// Types of asl.js (plain ES module served to the browser as is).
export interface StateInfo {
  name: string;
  type: string;
  def: Record<string, unknown>;
  parent?: string;
  inMap: boolean;
  resource?: string;
}
export interface Edge {
  from: string;
  to: string;
  kind: 'next' | 'choice' | 'default' | 'catch';
  label?: string;
}
export interface Machine {
  states: Map<string, StateInfo>;
  edges: Edge[];
  startAt: string;
  blocks: Map<string, string[]>;
}
export declare const endNode: (block: string) => string;
export declare function indexMachine(definition: unknown): Machine;
