/**
 * AnswerCloudFormation: the terminal states of the provision, update and teardown machines (succeeded, failed,
 * rejected, nothing to do) call this step. It answers the CloudFormation requests bound to this execution from
 * the record, which the step before it has just made final. With `interim`, called while the access point is
 * still not READY, it answers a Create whose deadline (CATALOG_ANSWER_DEADLINE_SECONDS) has passed with SUCCESS
 * and Status = PROVISIONING. An execution no CloudFormation request waits for costs one Query.
 */
import { requestIdOf } from '../request/parse.js';
import { errorMessage } from '../errors.js';
import { answerFromRecord, outputsOf, sendAnswer } from './answer.js';
import type { CatalogDeps } from './deps.js';

export interface AnswerInput {
  machine: 'provision' | 'update' | 'teardown';
  executionArn: string;
  executionName: string;
  /** The execution's input ($$.Execution.Input): where the request id comes from. */
  input: unknown;
  /** The error the execution ends with, if any (used when the record has none). */
  error?: { Error?: string; Cause?: string };
  interim?: boolean;
}

export interface AnswerOutput {
  requestId?: string;
  answered: number;
}

export async function answerCloudFormation(
  ev: AnswerInput,
  deps: Pick<CatalogDeps, 'store' | 'answers' | 'respond' | 'now' | 'sleep' | 'answerDeadlineSeconds'>,
): Promise<AnswerOutput> {
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
