/**
 * The Service Catalog steps (issue 9).
 *
 * serviceCatalogResource — the entry point: CloudFormation's custom-resource request for a `Custom::PniConnection`
 * (servicecatalog/pni-connection.yaml) becomes a provisioning, an update or a teardown of one connection.
 * - The connection's request id is derived from StackId + LogicalResourceId (request/parse.ts
 *   serviceCatalogRequestId), so a redelivered request is the same request, and Update/Delete find it.
 * - Every CloudFormation request is registered as an answer item first (catalog/answers.ts) and bound to the
 *   execution whose end answers it; requests that can be decided at once (invalid properties, a refused change,
 *   nothing to delete) are answered here.
 *
 * answerCloudFormation — the AnswerCloudFormation states of the three machines (succeeded, failed, rejected,
 * nothing to do) answer the CloudFormation requests bound to their execution from the record, which the state
 * before has just made final. With `interim` (called while the gateway or access point is still not READY) it
 * answers a Create whose deadline (CATALOG_ANSWER_DEADLINE_SECONDS) has passed with SUCCESS and
 * Status = PROVISIONING. An execution no CloudFormation request waits for costs one Query.
 */
import { createHash } from 'node:crypto';
import { NOTHING_LEFT_STATUSES } from '../constants.js';
import { requestIdOf, serviceCatalogRequestId } from '../request/parse.js';
import { immutableChanges } from '../update/diff.js';
import type { RequestRecord } from '../state.js';
import { type Answer, answerFromRecord, outputsOf, sendAnswer } from '../catalog/answer.js';
import type {
  AnswerCloudFormationInput,
  AnswerCloudFormationOutput,
  CatalogResult,
  CfnRequest,
  CfnRequestType,
} from '../contracts.js';
import { RequestInvalid, errorMessage } from '../errors.js';
import type { CatalogAnswer } from '../catalog/answers.js';
import { type CatalogDeps, executionArnOf } from '../catalog/deps.js';
import { catalogRequest, describeInvalid, propertyOfField, requestFromProperties } from '../catalog/properties.js';

const REQUEST_TYPES: readonly CfnRequestType[] = ['Create', 'Update', 'Delete'];

/** The fields this function needs, checked; a malformed request cannot be answered (no ResponseURL) and fails. */
export function parseCfnRequest(event: unknown): CfnRequest {
  if (typeof event !== 'object' || event === null) throw new RequestInvalid('event', 'must be a JSON object');
  const e = event as Record<string, unknown>;
  for (const f of ['ResponseURL', 'StackId', 'RequestId', 'LogicalResourceId'] as const) {
    if (typeof e[f] !== 'string' || e[f] === '') throw new RequestInvalid(f, 'is required (a CloudFormation request)');
  }
  if (!REQUEST_TYPES.includes(e.RequestType as CfnRequestType))
    throw new RequestInvalid('RequestType', `must be ${REQUEST_TYPES.join(', ')}`);
  return e as unknown as CfnRequest;
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

export async function serviceCatalogResource(event: unknown, deps: CatalogDeps): Promise<CatalogResult> {
  const cfn = parseCfnRequest(event);
  const requestId = serviceCatalogRequestId(cfn.StackId, cfn.LogicalResourceId);
  const { item } = await deps.answers.register({
    requestId,
    kind: cfn.RequestType,
    cfnRequestId: cfn.RequestId,
    stackId: cfn.StackId,
    logicalResourceId: cfn.LogicalResourceId,
    responseUrl: cfn.ResponseURL,
  });
  const result = (outcome: CatalogResult['outcome'], executionArn?: string): CatalogResult => ({
    requestId,
    requestType: cfn.RequestType,
    outcome,
    ...(executionArn ? { executionArn } : {}),
  });
  if (item.state !== 'PENDING') return result('ALREADY_ANSWERED');
  const answerNow = async (answer: Answer) => {
    await sendAnswer(deps, item, answer);
    return result('ANSWERED');
  };

  switch (cfn.RequestType) {
    case 'Create':
      return create(cfn, requestId, item, deps, answerNow, result);
    case 'Update':
      return update(cfn, requestId, item, deps, answerNow, result);
    case 'Delete':
      return remove(cfn, requestId, item, deps, answerNow, result);
  }
}

type AnswerNow = (answer: Answer) => Promise<CatalogResult>;
type Result = (outcome: CatalogResult['outcome'], executionArn?: string) => CatalogResult;

/** Run (or find) the named execution, bound to the answer item; when it already ended, answer from the record. */
async function follow(
  deps: CatalogDeps,
  item: CatalogAnswer,
  machineArn: string,
  name: string,
  input: unknown,
  result: Result,
): Promise<CatalogResult> {
  const executionArn = executionArnOf(machineArn, name);
  await deps.answers.bind(item, executionArn);
  const { existed } = await deps.executions.start(machineArn, name, input);
  if (existed) return settleIfEnded(deps, item, executionArn, result);
  return result('STARTED', executionArn);
}

/** Bound to an execution that may already have ended (its answer step then ran before the binding): answer now. */
async function settleIfEnded(
  deps: CatalogDeps,
  item: CatalogAnswer,
  executionArn: string,
  result: Result,
): Promise<CatalogResult> {
  if ((await deps.executions.status(executionArn)) === 'RUNNING') return result('FOLLOWING', executionArn);
  const bound = { ...item, executionArn };
  await sendAnswer(
    deps,
    bound,
    answerFromRecord(item.kind, item.requestId, await deps.store.get(item.requestId), undefined, executionArn),
  );
  return result('ANSWERED', executionArn);
}

async function create(
  cfn: CfnRequest,
  requestId: string,
  item: CatalogAnswer,
  deps: CatalogDeps,
  answerNow: AnswerNow,
  result: Result,
): Promise<CatalogResult> {
  const ids = { stackId: cfn.StackId, logicalResourceId: cfn.LogicalResourceId };
  let request: Record<string, unknown>;
  try {
    catalogRequest(cfn.ResourceProperties ?? {}, ids); // THE schema, before anything starts
    request = requestFromProperties(cfn.ResourceProperties ?? {}, ids);
  } catch (err) {
    if (err instanceof RequestInvalid)
      return answerNow({ status: 'FAILED', reason: `RequestInvalid: ${describeInvalid(err)}` });
    throw err;
  }
  // The provisioning execution is named after the request id: a second Create finds the first one's execution.
  return follow(
    deps,
    item,
    deps.machines.provision,
    requestId,
    {
      source: 'servicecatalog',
      cfn: { StackId: cfn.StackId, LogicalResourceId: cfn.LogicalResourceId, ResourceProperties: request },
    },
    result,
  );
}

async function update(
  cfn: CfnRequest,
  requestId: string,
  item: CatalogAnswer,
  deps: CatalogDeps,
  answerNow: AnswerNow,
  result: Result,
): Promise<CatalogResult> {
  const ids = { stackId: cfn.StackId, logicalResourceId: cfn.LogicalResourceId };
  let next: ReturnType<typeof catalogRequest>;
  try {
    next = catalogRequest(cfn.ResourceProperties ?? {}, ids);
  } catch (err) {
    if (err instanceof RequestInvalid)
      return answerNow({ status: 'FAILED', reason: `RequestInvalid: ${describeInvalid(err)}` });
    throw err;
  }
  const rec = await deps.store.get(requestId);
  if (!rec?.request || rec.status !== 'SUCCEEDED') {
    return answerNow({
      status: 'FAILED',
      reason: `connection ${requestId} is ${rec?.status ?? 'unknown'}: only a provisioned (SUCCEEDED) connection can be updated`,
    });
  }
  // Compared with the connection as it is (not with OldResourceProperties): the rollback Update that follows a
  // refused change carries the refused values as "old" ones, and must succeed.
  const refused = [...new Set(immutableChanges(rec.request, next).map(propertyOfField))];
  if (refused.length) {
    return answerNow({
      status: 'FAILED',
      reason: `${refused.join(', ')} cannot change; create a new connection (only ${['EgressRoutes', 'IngressCidrs'].join(' and ')} can be updated in place)`,
    });
  }
  const name = `${requestId}-update-${shortHash(`${cfn.RequestId}|${cfn.ResponseURL}`)}`;
  return follow(
    deps,
    item,
    deps.machines.update,
    name,
    { requestId, source: 'servicecatalog', request: requestFromProperties(cfn.ResourceProperties ?? {}, ids) },
    result,
  );
}

async function remove(
  cfn: CfnRequest,
  requestId: string,
  item: CatalogAnswer,
  deps: CatalogDeps,
  answerNow: AnswerNow,
  result: Result,
): Promise<CatalogResult> {
  const rec = await deps.store.get(requestId);
  // Nothing was ever built (a failed Create), or it is gone already.
  if (!rec || NOTHING_LEFT_STATUSES.includes(rec.status)) return answerNow({ status: 'SUCCESS' });

  if (rec.status === 'ROLLING_BACK' || rec.status === 'TEARING_DOWN') {
    // A rollback (inside its provisioning execution) or a teardown is running: let it finish, its end answers.
    const owner = rec.status === 'ROLLING_BACK' ? rec.executionArn : rec.teardownExecutionArn;
    if (owner && (await deps.executions.status(owner)) === 'RUNNING') {
      await deps.answers.bind(item, owner);
      return settleIfEnded(deps, item, owner, result);
    }
  }
  if (rec.status === 'VALIDATING' || rec.status === 'PROVISIONING') await stopProvisioning(deps, rec);

  const name = `${requestId}-delete-${shortHash(`${cfn.RequestId}|${cfn.ResponseURL}`)}`;
  return follow(deps, item, deps.machines.teardown, name, { requestId, mode: 'teardown' }, result);
}

/**
 * A Delete while the provisioning still runs: stop it (the teardown that follows removes what it built, as its
 * rollback would) and answer a Create still waiting for it.
 */
async function stopProvisioning(deps: CatalogDeps, rec: RequestRecord): Promise<void> {
  if ((await deps.executions.status(rec.executionArn)) !== 'RUNNING') return;
  await deps.executions.stop(rec.executionArn, 'the Service Catalog product was terminated (CloudFormation Delete)');
  const waiting = (await deps.answers.list(rec.requestId)).filter(
    (a) => a.kind === 'Create' && a.state === 'PENDING' && a.executionArn === rec.executionArn,
  );
  for (const a of waiting)
    await sendAnswer(deps, a, {
      status: 'FAILED',
      reason: `ProvisioningStopped: the connection ${rec.requestId} was deleted while it was being provisioned`,
    });
}

// ------------------------------------------------------------------ answerCloudFormation

export async function answerCloudFormation(
  ev: AnswerCloudFormationInput,
  deps: Pick<CatalogDeps, 'store' | 'answers' | 'respond' | 'now' | 'sleep' | 'answerDeadlineSeconds'>,
): Promise<AnswerCloudFormationOutput> {
  let requestId: string;
  try {
    requestId = requestIdOf(ev.input, ev.executionName).requestId;
  } catch (err) {
    return { answered: 0, requestId: `unknown (${errorMessage(err)})` };
  }
  const waiting = (await deps.answers.list(requestId)).filter(
    (a) => a.state === 'PENDING' && a.executionArn === ev.executionArn,
  );
  if (!waiting.length) return { requestId, answered: 0 };
  const rec = await deps.store.get(requestId);
  let answered = 0;
  for (const item of waiting) {
    if (ev.interim) {
      const due = Date.parse(item.receivedAt) + deps.answerDeadlineSeconds * 1000 <= deps.now().getTime();
      if (item.kind !== 'Create' || !due || !rec) continue;
      if (await sendAnswer(deps, item, { status: 'SUCCESS', data: outputsOf(rec, 'PROVISIONING') }, true)) answered++;
      continue;
    }
    const fallback = ev.error?.Error ? { name: ev.error.Error, message: ev.error.Cause ?? ev.error.Error } : undefined;
    if (await sendAnswer(deps, item, answerFromRecord(item.kind, requestId, rec, fallback, ev.executionArn)))
      answered++;
  }
  return { requestId, answered };
}
