/**
 * The state record (docs/architecture.md section 5): one DynamoDB table, conditional Put/Update, Get and Query only
 * (dynalite has no transactions). The keys (REQUEST#<id> / META, REQUEST#<id> / ENI#<nnn>, LOCK#<env>#<vpc> / LOCK)
 * come from tableKeys.ts. Steps depend on the `RequestStore` interface; `StateStore` is its DynamoDB implementation.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { AwsServiceUnavailable, RecordConflict, RecordIncomplete, isRetryableAwsError } from './errors.js';
import { ENI_SK_PREFIX, eniKey, lockKey, requestKey, requestPk } from './tableKeys.js';
import type { CanonicalRequest, Difference, Leftover, Phase, RequestSource, Status } from './types.js';

export interface RequestRecord {
  pk: string;
  sk: 'META';
  requestId: string;
  status: Status;
  phase?: Phase;
  source: RequestSource;
  request?: CanonicalRequest;
  requestHash?: string;
  rawRequest?: unknown;
  environmentId?: string;
  vpcId?: string;
  region?: string;
  executionArn: string;
  attempt: number;
  attemptStartedAt: string;
  customerAccount?: string;
  gatewayId?: string;
  gatewayCreatedByUs?: boolean;
  confluentAccount?: string;
  securityGroupId?: string;
  securityGroupCreatedByUs?: boolean;
  /** When this request's CreateSecurityGroup returned (grace period for NotFound on delete). */
  securityGroupCreatedAt?: string;
  /** When a teardown's DeleteSecurityGroup succeeded (its deletion is then confirmed). */
  securityGroupDeletedAt?: string;
  accessPointId?: string;
  eniCount?: number;
  warnings?: string[];
  error?: { name: string; message: string };
  failedStep?: string;
  leftovers?: Leftover[];
  /** Found by our tag but not ours (other VPC, subnet, security group, or without our tags): reported, not deleted. */
  notOwned?: Leftover[];
  teardownExecutionArn?: string;
  /** The latest in-place update (statemachine/update.asl.json): who runs it and how it ended. */
  lastUpdate?: UpdateRecord;
  /** (day 2) The last drift check of this connection (scheduled, `pni drift` or a repair's re-check). */
  lastDriftCheck?: DriftCheckRecord;
  /** (day 2) The last repair of this connection. */
  lastRepair?: RepairRecord;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface UpdateRecord {
  executionArn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  startedAt: string;
  finishedAt?: string;
  error?: { name: string; message: string };
  failedStep?: string;
}
/** (day 2) What a drift check found: desired state (the record) vs what exists. */
export interface DriftCheckRecord {
  checkedAt: string;
  inSync: boolean;
  differenceCount: number;
  /** The first DRIFT_RECORDED_DIFFERENCES differences (the event carries them all). */
  differences: Difference[];
  executionArn: string;
}
export interface RepairRecord {
  at: string;
  outcome: 'SUCCEEDED' | 'FAILED';
  repaired: string[];
  unrepaired: string[];
  error?: { name: string; message: string };
  executionArn: string;
}

export interface EniRecord {
  pk: string;
  sk: string;
  requestId: string;
  attempt: number;
  slot: number;
  subnetId: string;
  zoneId: string;
  ip?: string;
  eniId?: string;
  permissionId?: string;
  status: 'CREATED' | 'PERMITTED' | 'REVOKED' | 'DELETED';
  /** When the create call returned (a NotFound on delete within the grace period after it proves nothing). */
  createdAt?: string;
  updatedAt: string;
}

export interface LockRecord {
  pk: string;
  sk: 'LOCK';
  holder?: string;
  environmentId: string;
  vpcId: string;
  acquiredAt?: string;
  updatedAt: string;
}

/**
 * A record that validation claimed: created (or restarted) by ValidateRequest with the canonical request and
 * its environment, VPC and region. Only a request rejected by the schema before any claim lacks them (status
 * REJECTED, `rawRequest` instead of `request`). Everything after validation works on claimed records.
 */
export type ClaimedRecord = RequestRecord &
  Required<Pick<RequestRecord, 'request' | 'environmentId' | 'vpcId' | 'region'>>;

export function isClaimed(rec: RequestRecord): rec is ClaimedRecord {
  return !!rec.request && !!rec.environmentId && !!rec.vpcId && !!rec.region;
}

/** Narrow to a claimed record, or fail with RecordIncomplete (a record no step after validation can work on). */
export function claimed(rec: RequestRecord): ClaimedRecord {
  if (!isClaimed(rec))
    throw new RecordIncomplete(
      `request ${rec.requestId} (status ${rec.status}) was never claimed by validation: it has no request, environment, VPC or region`,
    );
  return rec;
}

/** What the steps need from the state table (StateStore implements it over DynamoDB; tests may pass their own). */
export interface RequestStore {
  get(requestId: string): Promise<RequestRecord | undefined>;
  create(rec: Omit<RequestRecord, 'pk' | 'sk' | 'createdAt' | 'updatedAt' | 'version'>): Promise<RequestRecord>;
  update(
    requestId: string,
    fields: Partial<Omit<RequestRecord, 'pk' | 'sk' | 'version' | 'updatedAt'>>,
    expect?: { version?: number; status?: Status[]; executionArn?: string },
  ): Promise<RequestRecord>;
  putEni(eni: Omit<EniRecord, 'pk' | 'sk' | 'updatedAt'>): Promise<void>;
  updateEni(
    requestId: string,
    slot: number,
    fields: Partial<Pick<EniRecord, 'permissionId' | 'status' | 'eniId'>>,
  ): Promise<void>;
  listEnis(requestId: string): Promise<EniRecord[]>;
  acquireLock(
    environmentId: string,
    vpcId: string,
    requestId: string,
  ): Promise<{ acquired: true } | { acquired: false; holder: string }>;
  releaseLock(environmentId: string, vpcId: string, requestId: string): Promise<boolean>;
  lockHolder(environmentId: string, vpcId: string): Promise<string | undefined>;
  byStatus(status: Status, limit?: number): Promise<RequestRecord[]>;
  // day 2 (issue 10)
  statusPage(
    status: Status,
    opts?: { limit?: number; startKey?: Record<string, unknown>; environmentId?: string; vpcId?: string },
  ): Promise<{ items: RequestRecord[]; nextKey?: Record<string, unknown> }>;
  liveConnection(
    environmentId: string,
    vpcId: string,
    exceptRequestId: string,
    statuses: readonly Status[],
  ): Promise<RequestRecord | undefined>;
}

function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}
function mapDynamoError(err: unknown, what: string): never {
  if (isConditionFailure(err)) throw new RecordConflict(`${what}: the record changed meanwhile`);
  if (isRetryableAwsError(err))
    throw new AwsServiceUnavailable(`${what}: DynamoDB is unavailable (${(err as Error).name})`, { cause: err });
  throw err;
}

/**
 * Build `SET a = :a, b = :b` and `REMOVE c` from a partial object (undefined = remove), always stamping updatedAt;
 * `versioned` items (the request record) also bump their optimistic-concurrency version.
 */
function updateParts(fields: Record<string, unknown>, now: string, { versioned = true } = {}) {
  const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':updatedAt': now };
  const sets = ['#updatedAt = :updatedAt'];
  if (versioned) {
    names['#version'] = 'version';
    values[':one'] = 1;
    sets.push('#version = #version + :one');
  }
  const removes: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    names[`#${k}`] = k;
    if (v === undefined) removes.push(`#${k}`);
    else {
      values[`:${k}`] = v;
      sets.push(`#${k} = :${k}`);
    }
  }
  return { expr: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`, names, values };
}

/** Every item of a request whose sort key starts with `skPrefix` (ENI rows, answer items): consistent, all pages. */
export async function queryRequestItems<T>(
  doc: DynamoDBDocumentClient,
  table: string,
  requestId: string,
  skPrefix: string,
): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': requestPk(requestId), ':prefix': skPrefix },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    items.push(...((out.Items ?? []) as T[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

export class StateStore implements RequestStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private iso(): string {
    return this.now().toISOString();
  }

  async get(requestId: string): Promise<RequestRecord | undefined> {
    try {
      const out = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: requestKey(requestId), ConsistentRead: true }),
      );
      return out.Item as RequestRecord | undefined;
    } catch (err) {
      return mapDynamoError(err, `reading request ${requestId}`);
    }
  }

  /** Create the record; fails with RecordConflict when it already exists. */
  async create(rec: Omit<RequestRecord, 'pk' | 'sk' | 'createdAt' | 'updatedAt' | 'version'>): Promise<RequestRecord> {
    const now = this.iso();
    const item: RequestRecord = { ...requestKey(rec.requestId), ...rec, createdAt: now, updatedAt: now, version: 1 };
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return item;
    } catch (err) {
      return mapDynamoError(err, `creating request ${rec.requestId}`);
    }
  }

  /**
   * Update fields. `expect.version` makes it an optimistic-concurrency write; `expect.status` requires one of
   * these statuses; `expect.executionArn` requires this execution to own the record. Always requires the record to exist.
   */
  async update(
    requestId: string,
    fields: Partial<Omit<RequestRecord, 'pk' | 'sk' | 'version' | 'updatedAt'>>,
    expect: { version?: number; status?: Status[]; executionArn?: string } = {},
  ): Promise<RequestRecord> {
    const { expr, names, values } = updateParts(fields as Record<string, unknown>, this.iso());
    const conds = ['attribute_exists(pk)'];
    if (expect.version !== undefined) {
      conds.push('#version = :expectedVersion');
      values[':expectedVersion'] = expect.version;
    }
    if (expect.status) {
      names['#status'] = 'status';
      const keys = expect.status.map((s, i) => {
        values[`:st${i}`] = s;
        return `:st${i}`;
      });
      conds.push(`#status IN (${keys.join(', ')})`);
    }
    if (expect.executionArn !== undefined) {
      names['#executionArn'] = 'executionArn';
      values[':expectedExecutionArn'] = expect.executionArn;
      conds.push('#executionArn = :expectedExecutionArn');
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: requestKey(requestId),
          UpdateExpression: expr,
          ConditionExpression: conds.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as RequestRecord;
    } catch (err) {
      return mapDynamoError(err, `updating request ${requestId}`);
    }
  }

  /** Record (or refresh) one ENI slot of an attempt; a later attempt may overwrite an earlier attempt's slot. */
  async putEni(eni: Omit<EniRecord, 'pk' | 'sk' | 'updatedAt' | 'createdAt'>): Promise<void> {
    const now = this.iso();
    const item: EniRecord = { ...eniKey(eni.requestId, eni.slot), ...eni, createdAt: now, updatedAt: now };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk) OR attempt <= :attempt',
          ExpressionAttributeValues: { ':attempt': eni.attempt },
        }),
      );
    } catch (err) {
      mapDynamoError(err, `recording ENI slot ${eni.slot} of ${eni.requestId}`);
    }
  }

  async updateEni(
    requestId: string,
    slot: number,
    fields: Partial<Pick<EniRecord, 'permissionId' | 'status' | 'eniId'>>,
  ): Promise<void> {
    const { expr, names, values } = updateParts(fields, this.iso(), { versioned: false });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: eniKey(requestId, slot),
          UpdateExpression: expr,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      mapDynamoError(err, `updating ENI slot ${slot} of ${requestId}`);
    }
  }

  async listEnis(requestId: string): Promise<EniRecord[]> {
    let items: EniRecord[] = [];
    try {
      items = await queryRequestItems<EniRecord>(this.doc, this.table, requestId, ENI_SK_PREFIX);
    } catch (err) {
      mapDynamoError(err, `listing ENIs of ${requestId}`);
    }
    return items.sort((a, b) => a.slot - b.slot);
  }

  /** Take the (environment, VPC) lock for `requestId`; answers the current holder when someone else has it. */
  async acquireLock(
    environmentId: string,
    vpcId: string,
    requestId: string,
  ): Promise<{ acquired: true } | { acquired: false; holder: string }> {
    const now = this.iso();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...lockKey(environmentId, vpcId),
            holder: requestId,
            environmentId,
            vpcId,
            acquiredAt: now,
            updatedAt: now,
          } satisfies LockRecord,
          ConditionExpression: 'attribute_not_exists(pk) OR attribute_not_exists(holder) OR holder = :rid',
          ExpressionAttributeValues: { ':rid': requestId },
        }),
      );
      return { acquired: true };
    } catch (err) {
      if (!isConditionFailure(err)) return mapDynamoError(err, `locking ${environmentId}/${vpcId}`);
      const out = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: lockKey(environmentId, vpcId), ConsistentRead: true }),
      );
      const holder = (out.Item as LockRecord | undefined)?.holder;
      if (!holder) return this.acquireLock(environmentId, vpcId, requestId); // released meanwhile
      return { acquired: false, holder };
    }
  }

  /** Release the lock if `requestId` holds it (a no-op otherwise). */
  async releaseLock(environmentId: string, vpcId: string, requestId: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: lockKey(environmentId, vpcId),
          UpdateExpression: 'REMOVE holder, acquiredAt SET updatedAt = :now',
          ConditionExpression: 'holder = :rid',
          ExpressionAttributeValues: { ':rid': requestId, ':now': this.iso() },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      return mapDynamoError(err, `unlocking ${environmentId}/${vpcId}`);
    }
  }

  async lockHolder(environmentId: string, vpcId: string): Promise<string | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: lockKey(environmentId, vpcId), ConsistentRead: true }),
    );
    return (out.Item as LockRecord | undefined)?.holder;
  }

  /** Requests by status, newest first (GSI byStatus): the first page of statusPage. */
  async byStatus(status: Status, limit = 50): Promise<RequestRecord[]> {
    return (await this.statusPage(status, { limit })).items;
  }

  // ---------------------------------------------------------------- day 2 (issue 10): list, drift, one live connection

  /**
   * One page of the records with `status` (GSI byStatus, newest first). `startKey` continues where the previous page
   * ended; `filter` narrows by environment / VPC (applied after `limit`, as DynamoDB does, so a page may hold fewer).
   */
  async statusPage(
    status: Status,
    opts: { limit?: number; startKey?: Record<string, unknown>; environmentId?: string; vpcId?: string } = {},
  ): Promise<{ items: RequestRecord[]; nextKey?: Record<string, unknown> }> {
    const names: Record<string, string> = { '#s': 'status' };
    const values: Record<string, unknown> = { ':s': status };
    const filters: string[] = [];
    if (opts.environmentId !== undefined) {
      names['#env'] = 'environmentId';
      values[':env'] = opts.environmentId;
      filters.push('#env = :env');
    }
    if (opts.vpcId !== undefined) {
      names['#vpc'] = 'vpcId';
      values[':vpc'] = opts.vpcId;
      filters.push('#vpc = :vpc');
    }
    try {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byStatus',
          KeyConditionExpression: '#s = :s',
          FilterExpression: filters.length ? filters.join(' AND ') : undefined,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: opts.limit,
          ExclusiveStartKey: opts.startKey,
        }),
      );
      return { items: (out.Items ?? []) as RequestRecord[], nextKey: out.LastEvaluatedKey };
    } catch (err) {
      return mapDynamoError(err, `listing ${status} requests`);
    }
  }

  /** The live connection (SUCCEEDED or PROVISIONING) of another request on this (environment, VPC), if any. */
  async liveConnection(
    environmentId: string,
    vpcId: string,
    exceptRequestId: string,
    statuses: readonly Status[],
  ): Promise<RequestRecord | undefined> {
    for (const status of statuses) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.statusPage(status, { limit: 100, startKey, environmentId, vpcId });
        const found = page.items.find((r) => r.requestId !== exceptRequestId);
        if (found) return found;
        startKey = page.nextKey;
      } while (startKey);
    }
    return undefined;
  }
}

/** The table definition (the sandbox and tests create it; serverless.yml declares the same for AWS). */
export const STATE_TABLE_DEFINITION = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'status', AttributeType: 'S' },
    { AttributeName: 'updatedAt', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byStatus',
      KeySchema: [
        { AttributeName: 'status', KeyType: 'HASH' },
        { AttributeName: 'updatedAt', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  BillingMode: 'PAY_PER_REQUEST',
} as const;
