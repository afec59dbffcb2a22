/**
 * The payloads between the state machines (statemachine/*.asl.json) and the Lambda steps: what each Task sends
 * (`...Input`) and what it answers (`...Output`). One file, so a change to a contract is one diff next to the
 * ASL that carries it. Domain shapes (the canonical request, subnets, ENI slots, leftovers) live in types.ts.
 */
import type { UpdatePlan } from './update/diff.js';
import type { CanonicalRequest, EniSlot, Leftover, Limits, Phase, RequestSource, Status, SubnetFact } from './types.js';

/** The Step Functions error object a Catch puts on the payload (`ResultPath`). */
export interface StateError {
  Error?: string;
  Cause?: string;
}

// ------------------------------------------------------------------ provision

/** ValidateRequest: the raw entry-point input and the execution (from the context object). */
export interface ValidateInput {
  input: unknown;
  execution: { arn: string; name: string; startTime?: string };
}

/** Output of ValidateRequest, the payload every later provision state carries. */
export interface ProvisionContext {
  requestId: string;
  attempt: number;
  executionArn: string;
  source: RequestSource;
  request: CanonicalRequest;
  /** The customer's AWS account (owner of the VPC), which owns the ENIs. */
  customerAccount: string;
  vpcCidr: string;
  subnets: SubnetFact[];
  /** AZ ids, in subnet order: what the Confluent gateway gets. */
  zones: string[];
  plan: { slots: EniSlot[] };
  limits: Limits;
  warnings: string[];
  /** Set when the same request already SUCCEEDED: the workflow returns the stored result. */
  alreadySucceeded?: boolean;
  result?: ProvisionResult;
}

/** The provision machine's result (RecordSucceeded, or the stored result of a repeated request). */
export interface ProvisionResult {
  requestId: string;
  status: Status;
  gatewayId?: string;
  gatewayCreatedByUs?: boolean;
  confluentAccount?: string;
  securityGroupId?: string;
  accessPointId?: string;
  eniIds: string[];
}

export interface CreateGatewayOutput {
  gatewayId: string;
  createdByUs: boolean;
}

export interface CreateSecurityGroupOutput {
  groupId: string;
  createdByUs: boolean;
}

/** GetGatewayStatus / GetAccessPointStatus: one poll; `attempt` counts polls against `limits.*MaxPolls`. */
export interface PollInput {
  requestId: string;
  environmentId: string;
  attempt: number;
}
export interface PollOutput {
  attempt: number;
  ready: boolean;
  phase: string;
}
export type GatewayStatusInput = PollInput & { gatewayId: string };
export type GatewayStatusOutput = PollOutput & { account?: string };
export type AccessPointStatusInput = PollInput & { accessPointId: string };

/** CreateEni: one Map iteration over the plan's slots. */
export interface CreateEniInput {
  requestId: string;
  executionArn: string;
  attempt: number;
  region: string;
  securityGroupId: string;
  tags: Record<string, string>;
  slot: EniSlot;
}
export interface EniResult {
  slot: number;
  eniId: string;
  privateIp: string;
  subnetId: string;
}

export interface RecordPhaseInput {
  requestId: string;
  executionArn: string;
  phase: Phase;
  details?: {
    gatewayId?: string;
    confluentAccount?: string;
    securityGroupId?: string;
    eniCount?: number;
    permissionCount?: number;
  };
}

export interface GrantPermissionsInput {
  requestId: string;
  region: string;
  account: string;
  enis: EniResult[];
}
export interface GrantPermissionsOutput {
  granted: number;
  created: number;
}

export type CreateAccessPointInput = ProvisionContext & {
  resources: { gateway: { gatewayId: string }; enis: EniResult[] };
};
export interface CreateAccessPointOutput {
  accessPointId: string;
}

// ------------------------------------------------------------------ outcome

export interface FailureContext {
  requestId: string;
  executionArn: string;
  error?: StateError;
  rollback?: { outcome?: 'ROLLED_BACK' | 'ROLLBACK_FAILED'; leftovers?: Leftover[] };
  rollbackError?: StateError;
}
export interface RejectionContext {
  input: unknown;
  error?: StateError;
  executionArn: string;
  executionName: string;
}
/** RecordOutcome: RecordSucceeded, RecordFailed (after the rollback) or RejectRequest (validation failed). */
export type OutcomeInput =
  | { outcome: 'SUCCEEDED'; context: { requestId: string; executionArn: string } }
  /** ClaimRollback: the provisioning marks the record ROLLING_BACK before it starts its nested teardown. */
  | { outcome: 'ROLLING_BACK'; context: { requestId: string; executionArn: string } }
  | { outcome: 'FAILED'; context: FailureContext }
  | { outcome: 'REJECTED'; context: RejectionContext };
export type OutcomeOutput =
  | ProvisionResult
  | { error: { Error: string; Cause: string } }
  | { rejected: boolean }
  | { claimed: true };

// ------------------------------------------------------------------ teardown

export type TeardownMode = 'teardown' | 'rollback';

/** BeginTeardown: the raw input (`{requestId, mode?}`) and the execution. */
export interface BeginTeardownInput {
  input: unknown;
  execution: { arn: string; name: string };
}

/** Output of BeginTeardown, the payload every later teardown state carries. */
export interface TeardownContext {
  requestId: string;
  mode: TeardownMode;
  executionArn: string;
  noop: boolean;
  outcome?: 'NOOP';
  reason?: string;
  leftovers: Leftover[];
  environmentId: string;
  region: string;
  vpcId: string;
  limits: Limits;
  errors: Record<string, StateError>;
}

/** A deletion started or polled: `gone` ends the loop; `attempt` counts polls against `limits.deletionMaxPolls`. */
export interface DeletionPoll {
  gone: boolean;
  id?: string;
  attempt: number;
}
export type GatewayDeletion = DeletionPoll & { skipped?: string };

export interface DeletionStatusInput {
  kind: 'accessPoint' | 'gateway';
  environmentId: string;
  id: string;
  attempt: number;
}

export interface FinishTeardownInput extends TeardownContext {
  gatewayDeletion?: GatewayDeletion;
}
export interface FinishTeardownOutput {
  requestId: string;
  mode: TeardownMode;
  outcome: string;
  leftovers: Leftover[];
  /** Found by our tag but not ours: reported, never deleted (absent when none). */
  notOwned?: Leftover[];
}

// ------------------------------------------------------------------ update (statemachine/update.asl.json, issue 9)

/** The update machine's input: the connection and its full desired request (THE request contract). */
export interface UpdateInput {
  requestId: string;
  request: unknown;
  source?: string;
}

/** ValidateUpdate: the raw input and the execution (from the context object). */
export interface ValidateUpdateInput {
  input: unknown;
  execution: { arn: string; name: string };
}

/** Output of ValidateUpdate, the payload every later update state carries. */
export interface UpdateContext {
  requestId: string;
  executionArn: string;
  environmentId: string;
  region: string;
  accessPointId: string;
  securityGroupId: string;
  /** The desired request after the update (defaults applied): becomes the record's request. */
  request: CanonicalRequest;
  plan: UpdatePlan;
  limits: Limits;
}

export interface UpdateAccessPointOutput {
  patched: boolean;
}
export interface UpdateSecurityGroupOutput {
  authorized: number;
  revoked: number;
}

export type RecordUpdateInput =
  | { outcome: 'SUCCEEDED'; context: UpdateContext }
  | { outcome: 'FAILED'; context: { input: unknown; executionArn: string; error?: StateError } };
export type RecordUpdateOutput =
  | { requestId: string; status: 'SUCCEEDED' }
  | { error: { Error: string; Cause: string } };

// ------------------------------------------------------------------ Service Catalog (issue 9)

export type CfnRequestType = 'Create' | 'Update' | 'Delete';

/** CloudFormation's custom-resource request (every property value a string or a list of strings). */
export interface CfnRequest {
  RequestType: CfnRequestType;
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  ResourceType?: string;
  PhysicalResourceId?: string;
  ResourceProperties?: Record<string, unknown>;
  OldResourceProperties?: Record<string, unknown>;
}

/** What serviceCatalogResource returns to its (asynchronous) invoker. */
export interface CatalogResult {
  requestId: string;
  requestType: CfnRequestType;
  /** What happened: answered at once, or which execution will answer. */
  outcome: 'ANSWERED' | 'ALREADY_ANSWERED' | 'STARTED' | 'FOLLOWING';
  executionArn?: string;
}

/** AnswerCloudFormation: the terminal (or, with `interim`, waiting) states of the three machines. */
export interface AnswerCloudFormationInput {
  machine: 'provision' | 'update' | 'teardown';
  executionArn: string;
  executionName: string;
  /** The execution's input ($$.Execution.Input): where the request id comes from. */
  input: unknown;
  /** The error the execution ends with, if any (used when the record has none). */
  error?: StateError;
  interim?: boolean;
}
export interface AnswerCloudFormationOutput {
  requestId?: string;
  answered: number;
}
