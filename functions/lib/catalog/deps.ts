/** What the Service Catalog steps depend on (tests build their own). */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { documentClient, sfn, stateStore } from '../clients.js';
import { config, readCatalogAnswerDeadlineSeconds, readWorkflowArns } from '../config.js';
import { isRetryableAwsError, AwsServiceUnavailable } from '../errors.js';
import type { RequestStore } from '../state.js';
import { CatalogAnswerStore } from './answers.js';
import { putResponse } from './response.js';

export interface Executions {
  /** Start (or find, when one with this name already exists) an execution; answers its ARN. */
  start(stateMachineArn: string, name: string, input: unknown): Promise<{ executionArn: string; existed: boolean }>;
  stop(executionArn: string, cause: string): Promise<void>;
  status(executionArn: string): Promise<string | undefined>;
}

export interface CatalogDeps {
  store: RequestStore;
  answers: CatalogAnswerStore;
  executions: Executions;
  /** PUT a body to a pre-signed ResponseURL; the HTTP status. */
  respond: (url: string, body: string) => Promise<number>;
  machines: { provision: string; teardown: string; update: string };
  answerDeadlineSeconds: number;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** The execution ARN a state machine gives an execution of this name. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

function mapSfnError(err: unknown, what: string): never {
  if (isRetryableAwsError(err))
    throw new AwsServiceUnavailable(`${what}: Step Functions is unavailable (${(err as Error).name})`, { cause: err });
  throw err;
}

const sfnExecutions: Executions = {
  async start(stateMachineArn, name, input) {
    try {
      const out = await sfn().send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      return { executionArn: out.executionArn ?? executionArnOf(stateMachineArn, name), existed: false };
    } catch (err) {
      if (err instanceof ExecutionAlreadyExists || (err as Error).name === 'ExecutionAlreadyExists')
        return { executionArn: executionArnOf(stateMachineArn, name), existed: true };
      return mapSfnError(err, `starting ${name}`);
    }
  },
  async stop(executionArn, cause) {
    try {
      await sfn().send(new StopExecutionCommand({ executionArn, error: 'StoppedByDelete', cause }));
    } catch (err) {
      if ((err as Error).name === 'ExecutionDoesNotExist') return;
      mapSfnError(err, `stopping ${executionArn}`);
    }
  },
  async status(executionArn) {
    try {
      return (await sfn().send(new DescribeExecutionCommand({ executionArn }))).status;
    } catch (err) {
      if ((err as Error).name === 'ExecutionDoesNotExist') return undefined;
      return mapSfnError(err, `describing ${executionArn}`);
    }
  },
};

let cached: CatalogDeps | undefined;
/**
 * The real dependencies. The state machine ARNs are read only by the function that starts executions
 * (serviceCatalogResource); the answering step never needs them.
 */
export function catalogDeps(): CatalogDeps {
  cached ??= {
    store: stateStore(),
    answers: new CatalogAnswerStore(documentClient(), config().stateTable),
    executions: sfnExecutions,
    respond: putResponse,
    get machines() {
      return readWorkflowArns();
    },
    answerDeadlineSeconds: readCatalogAnswerDeadlineSeconds(),
    now: () => new Date(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  return cached;
}
