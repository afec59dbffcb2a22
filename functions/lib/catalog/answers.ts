/**
 * CloudFormation answers owed, kept next to the request's record in the state table:
 *   REQUEST#<id> / CFN#<sha256(ResponseURL)[0:24]>   one CloudFormation request (one ResponseURL)
 * A delivery of the same request again (same ResponseURL) is the same item, so it is answered once. The item says
 * which execution's end answers it (`executionArn`), and moves PENDING -> SENDING (a conditional claim: only one
 * answerer ever sends) -> ANSWERED (or back to PENDING when the PUT failed, to be retried).
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AwsServiceUnavailable, RecordConflict, isRetryableAwsError } from '../errors.js';
import { requestPk } from '../tableKeys.js';
import { queryRequestItems } from '../state.js';
import type { CfnRequestType } from '../contracts.js';
import type { CfnStatus } from './response.js';

export type AnswerState = 'PENDING' | 'SENDING' | 'ANSWERED';

export interface CatalogAnswer {
  pk: string;
  sk: string;
  requestId: string;
  kind: CfnRequestType;
  cfnRequestId: string;
  stackId: string;
  logicalResourceId: string;
  responseUrl: string;
  /** The execution whose end answers this request (none: answered by the function itself). */
  executionArn?: string;
  state: AnswerState;
  /** An interim SUCCESS (Status = PROVISIONING) was sent at the deadline; the final outcome is not sent again. */
  interim?: boolean;
  answer?: { status: CfnStatus; reason?: string; httpStatus: number; sentAt: string };
  sendAttempts: number;
  receivedAt: string;
  updatedAt: string;
}

/** Sort-key prefix of the answer items in a request's partition. */
export const CFN_SK_PREFIX = 'CFN#';

export const answerKey = (requestId: string, responseUrl: string) => ({
  pk: requestPk(requestId),
  sk: `${CFN_SK_PREFIX}${createHash('sha256').update(responseUrl).digest('hex').slice(0, 24)}`,
});

function fail(err: unknown, what: string): never {
  if ((err as { name?: string })?.name === 'ConditionalCheckFailedException')
    throw new RecordConflict(`${what}: the answer record changed meanwhile`);
  if (isRetryableAwsError(err))
    throw new AwsServiceUnavailable(`${what}: DynamoDB is unavailable (${(err as Error).name})`, { cause: err });
  throw err;
}
const isConditionFailure = (err: unknown) => (err as { name?: string })?.name === 'ConditionalCheckFailedException';

export class CatalogAnswerStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Register a CloudFormation request; a repeated delivery (same ResponseURL) returns the item already there. */
  async register(
    a: Omit<CatalogAnswer, 'pk' | 'sk' | 'state' | 'sendAttempts' | 'receivedAt' | 'updatedAt'>,
  ): Promise<{ item: CatalogAnswer; repeated: boolean }> {
    const now = this.now().toISOString();
    const item: CatalogAnswer = {
      ...answerKey(a.requestId, a.responseUrl),
      ...a,
      state: 'PENDING',
      sendAttempts: 0,
      receivedAt: now,
      updatedAt: now,
    };
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return { item, repeated: false };
    } catch (err) {
      if (!isConditionFailure(err)) return fail(err, `registering CloudFormation request ${a.cfnRequestId}`);
      const existing = await this.get(item.pk, item.sk);
      if (!existing) return fail(err, `registering CloudFormation request ${a.cfnRequestId}`);
      return { item: existing, repeated: true };
    }
  }

  async get(pk: string, sk: string): Promise<CatalogAnswer | undefined> {
    try {
      const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true }));
      return out.Item as CatalogAnswer | undefined;
    } catch (err) {
      return fail(err, `reading answer ${sk}`);
    }
  }

  /** Every CloudFormation request registered for a connection, oldest first. */
  async list(requestId: string): Promise<CatalogAnswer[]> {
    let items: CatalogAnswer[];
    try {
      items = await queryRequestItems<CatalogAnswer>(this.doc, this.table, requestId, CFN_SK_PREFIX);
    } catch (err) {
      return fail(err, `listing CloudFormation answers of ${requestId}`);
    }
    return items.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  /** Say which execution's end answers this request. */
  async bind(item: CatalogAnswer, executionArn: string): Promise<void> {
    await this.set(item, { executionArn }, 'PENDING');
  }

  /** PENDING -> SENDING; false when someone else already claimed (or answered) it. */
  async claim(item: CatalogAnswer): Promise<boolean> {
    try {
      await this.set(item, { state: 'SENDING' }, 'PENDING');
      return true;
    } catch (err) {
      if ((err as Error).name === 'RecordConflict') return false;
      throw err;
    }
  }

  async answered(item: CatalogAnswer, answer: NonNullable<CatalogAnswer['answer']>, interim = false): Promise<void> {
    await this.set(item, { state: 'ANSWERED', answer, ...(interim ? { interim } : {}) }, 'SENDING', true);
  }

  /** The PUT failed: back to PENDING so that a retry sends it. */
  async unclaim(item: CatalogAnswer): Promise<void> {
    await this.set(item, { state: 'PENDING' }, 'SENDING', true);
  }

  private async set(
    item: CatalogAnswer,
    fields: Partial<CatalogAnswer>,
    expectState: AnswerState,
    countAttempt = false,
  ): Promise<void> {
    const names: Record<string, string> = { '#state': 'state', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':expect': expectState, ':now': this.now().toISOString() };
    const sets = ['#updatedAt = :now'];
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      names[`#${k}`] = k;
      values[`:${k}`] = v;
      sets.push(`#${k} = :${k}`);
    }
    if (countAttempt) {
      names['#sendAttempts'] = 'sendAttempts';
      values[':one'] = 1;
      sets.push('#sendAttempts = #sendAttempts + :one');
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND #state = :expect',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      fail(err, `updating answer ${item.sk}`);
    }
  }
}
