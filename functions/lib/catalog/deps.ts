/** What the Service Catalog steps depend on (tests build their own). */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { documentClient, sfn, stateStore } from '../clients.js';
import { config } from '../config.js';
import { ConfigError, isRetryableAwsError, AwsServiceUnavailable } from '../errors.js';
import type { StateStore } from '../state.js';
import { CatalogAnswerStore } from './answers.js';
import { putResponse } from './response.js';

/** Default deadline for answering CloudFormation (it waits at most an hour for a custom resource). */
export const DEFAULT_CATALOG_ANSWER_DEADLINE_SECONDS = 55 * 60;

export interface Executions {
  /** Start (or find, when one with this name already exists) an execution; answers its ARN. */
  start(stateMachineArn: string, name: string, input: unknown): Promise<{ executionArn: string; existed: boolean }>;
  stop(executionArn: string, cause: string): Promise<void>;
  status(executionArn: string): Promise<string | undefined>;
}

export interface CatalogDeps {
  store: StateStore;
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

function requiredEnv(name: string): string {
  const v = process.env[name]?.trim();
  if (!v) throw new ConfigError(`environment variable ${name} is required`);
  return v;
}

/** CATALOG_ANSWER_DEADLINE_SECONDS, a positive integer (default 55 minutes). */
export function answerDeadlineSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CATALOG_ANSWER_DEADLINE_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_CATALOG_ANSWER_DEADLINE_SECONDS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(
      `environment variable CATALOG_ANSWER_DEADLINE_SECONDS must be a positive integer, got "${raw}"`,
    );
  return n;
}

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
      return {
        provision: requiredEnv('PROVISION_STATE_MACHINE_ARN'),
        teardown: requiredEnv('TEARDOWN_STATE_MACHINE_ARN'),
        update: requiredEnv('UPDATE_STATE_MACHINE_ARN'),
      };
    },
    answerDeadlineSeconds: answerDeadlineSeconds(),
    now: () => new Date(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  return cached;
}
