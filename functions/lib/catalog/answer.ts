/**
 * Answering CloudFormation: what a connection's record says about a Create, Update or Delete, and sending that
 * answer exactly once (claimed on its answer item before the PUT; a failed PUT is retried, then handed back as a
 * transient error so the state machine retries the step).
 */
import { NOTHING_LEFT_STATUSES } from '../constants.js';
import { AwsServiceUnavailable, errorMessage } from '../errors.js';
import type { RequestRecord } from '../state.js';
import type { CfnRequestType } from '../contracts.js';
import type { CatalogAnswer } from './answers.js';
import type { CatalogDeps } from './deps.js';
import { propertyOfField } from './properties.js';
import { type CfnStatus, responseBody } from './response.js';

/** The access point is READY (final answer) or still PROVISIONING (answered at the deadline). */
export type ConnectionStatus = 'READY' | 'PROVISIONING';

export interface Answer {
  status: CfnStatus;
  reason?: string;
  data?: Record<string, string>;
}

/** The product's outputs (servicecatalog/pni-connection.yaml Outputs), all strings as CloudFormation wants them. */
export function outputsOf(rec: RequestRecord, status: ConnectionStatus): Record<string, string> {
  return {
    RequestId: rec.requestId,
    GatewayId: rec.gatewayId ?? '',
    AccessPointId: rec.accessPointId ?? '',
    SecurityGroupId: rec.securityGroupId ?? '',
    ConfluentAccount: rec.confluentAccount ?? '',
    EniCount: String(rec.eniCount ?? 0),
    Status: status,
  };
}

/**
 * "[validateRequest] subnetIds[1]: must be ..." -> "RequestInvalid in validateRequest: SubnetIds[1]: must be ...".
 * The failed step and, for invalid requests, the product property come first: a cut reason still names them.
 */
export function failureReason(
  error: { name: string; message: string } | undefined,
  failedStep?: string,
  tail?: string,
): string {
  if (!error) return tail ?? 'the workflow failed without an error (see pni status)';
  let message = error.message;
  let step = failedStep;
  const m = /^\[([A-Za-z0-9]+)\] (.*)$/s.exec(message);
  if (m) {
    step ??= m[1];
    message = m[2];
  }
  if (error.name === 'RequestInvalid') {
    const f = /^([^\s:]+): (.*)$/s.exec(message);
    if (f) message = `${propertyOfField(f[1])}: ${f[2]}`;
  }
  const where = step && step !== error.name ? ` in ${step}` : '';
  return `${error.name}${where}: ${message}${tail ? ` (${tail})` : ''}`;
}

function leftoverText(rec: RequestRecord): string {
  const left = rec.leftovers ?? [];
  return left.length ? `${left.length} resource(s) left: ${left.map((l) => `${l.type} ${l.id}`).join(', ')}` : '';
}

/** What the record says about a CloudFormation request of this kind, now that its execution ended. */
export function answerFromRecord(
  kind: CfnRequestType,
  requestId: string,
  rec: RequestRecord | undefined,
  fallbackError?: { name: string; message: string },
  /** The execution that answers (an Update is answered from its own lastUpdate only). */
  executionArn?: string,
): Answer {
  switch (kind) {
    case 'Create':
      if (rec?.status === 'SUCCEEDED') return { status: 'SUCCESS', data: outputsOf(rec, 'READY') };
      if (!rec) return { status: 'FAILED', reason: failureReason(fallbackError) };
      return {
        status: 'FAILED',
        reason: failureReason(
          rec.error ?? fallbackError,
          rec.failedStep ?? (rec.status === 'REJECTED' ? 'validateRequest' : undefined),
          [`connection ${requestId} is ${rec.status}`, leftoverText(rec)].filter(Boolean).join('; '),
        ),
      };
    case 'Delete':
      if (!rec || NOTHING_LEFT_STATUSES.includes(rec.status)) return { status: 'SUCCESS' };
      return {
        status: 'FAILED',
        reason: `connection ${requestId} is ${rec.status}${rec.leftovers?.length ? `: ${leftoverText(rec)}` : ''}; run "pni teardown ${requestId}" to finish, then delete again`,
      };
    case 'Update': {
      const u =
        rec?.lastUpdate && (!executionArn || rec.lastUpdate.executionArn === executionArn) ? rec.lastUpdate : undefined;
      if (rec && u?.status === 'SUCCEEDED') return { status: 'SUCCESS', data: outputsOf(rec, 'READY') };
      return { status: 'FAILED', reason: failureReason(u?.error ?? fallbackError, u?.failedStep) };
    }
  }
}

const SEND_ATTEMPTS = 3;

/**
 * Send one answer, once: claim the item (PENDING -> SENDING), PUT, record it. False when someone else had it.
 * A 4xx from the ResponseURL (expired, wrong signature) is final and recorded as such; 5xx and network errors are
 * retried here, then handed back (PENDING again) as AwsServiceUnavailable for the caller's retrier.
 */
export async function sendAnswer(
  deps: Pick<CatalogDeps, 'answers' | 'respond' | 'now' | 'sleep'>,
  item: CatalogAnswer,
  answer: Answer,
  interim = false,
): Promise<boolean> {
  if (!(await deps.answers.claim(item))) return false;
  const body = responseBody({
    Status: answer.status,
    ...(answer.reason ? { Reason: answer.reason } : {}),
    PhysicalResourceId: item.requestId,
    StackId: item.stackId,
    RequestId: item.cfnRequestId,
    LogicalResourceId: item.logicalResourceId,
    ...(answer.data ? { Data: answer.data } : {}),
  });
  let lastProblem = '';
  for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
    try {
      const httpStatus = await deps.respond(item.responseUrl, body);
      if (httpStatus < 500 && httpStatus !== 429) {
        await deps.answers.answered(
          item,
          { status: answer.status, reason: answer.reason, httpStatus, sentAt: deps.now().toISOString() },
          interim,
        );
        return true;
      }
      lastProblem = `HTTP ${httpStatus}`;
    } catch (err) {
      lastProblem = errorMessage(err);
    }
    if (attempt < SEND_ATTEMPTS) await deps.sleep(200 * 2 ** attempt);
  }
  await deps.answers.unclaim(item);
  throw new AwsServiceUnavailable(
    `the answer to CloudFormation request ${item.cfnRequestId} could not be delivered (${lastProblem}); it will be retried`,
  );
}
