// Types of history.js (plain ES module served to the browser as is).
import type { Machine } from './asl.js';

export type StateStatus = 'notrun' | 'running' | 'succeeded' | 'failed' | 'caught' | 'cancelled';
export interface StateRun {
  status: StateStatus;
  entered: number;
  exited: number;
  retries: number;
  caught: number;
  iterations?: { started: number; succeeded: number; failed: number };
  child?: string;
}
export declare function stateRuns(
  machine: Machine,
  events: readonly object[],
  executionStatus: string,
): Map<string, StateRun>;
export declare function childExecutions(runs: Map<string, StateRun>): { state: string; executionArn: string }[];
