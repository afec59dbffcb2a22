/**
 * The sandbox takes the state table and the handlers' environment variable names from serverless.yml
 * (it imports nothing from functions/): the created table is the one serverless.yml deploys.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parse as parseYaml } from 'yaml';
import { Sandbox, PROJECT_ROOT, SANDBOX_STATE_TABLE } from '#sandbox/server.js';
import { handlerEnvironment } from '#sandbox/handlerEnv.js';
import { loadServerlessConfig } from '#sandbox/serverlessConfig.js';

const yml = parseYaml(readFileSync(join(PROJECT_ROOT, 'serverless.yml'), 'utf8'));
const tableProps = yml.resources.Resources.StateTable.Properties;

describe('the sandbox reads the state table and the handler environment from serverless.yml', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.start({ port: 0 });
  });
  afterAll(async () => {
    await sb.stop();
  });

  it('creates the state table with serverless.yml key schema, attributes and GSIs', async () => {
    const ddb = new DynamoDBClient({ endpoint: sb.url, region: 'us-west-2' });
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: SANDBOX_STATE_TABLE }));
    ddb.destroy();
    const byName = <T extends { AttributeName?: string }>(xs: T[]) =>
      [...xs].sort((a, b) => String(a.AttributeName).localeCompare(String(b.AttributeName)));
    expect(Table?.KeySchema).toEqual(tableProps.KeySchema);
    expect(byName(Table?.AttributeDefinitions ?? [])).toEqual(byName(tableProps.AttributeDefinitions));
    expect(
      (Table?.GlobalSecondaryIndexes ?? []).map((g) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: g.Projection,
      })),
    ).toEqual(tableProps.GlobalSecondaryIndexes);
    expect(Table?.BillingModeSummary?.BillingMode ?? 'PAY_PER_REQUEST').toBe(tableProps.BillingMode);
  });

  it('sets every variable serverless.yml declares, with the sandbox values where it has its own', () => {
    const env = sb.handlerEnv();
    for (const name of Object.keys(yml.provider.environment)) expect(env[name]).toEqual(expect.any(String));
    expect(env.STATE_TABLE).toBe(SANDBOX_STATE_TABLE);
    expect(env.CONFLUENT_API_URL).toBe(sb.url);
    expect(env.EVENT_SOURCE).toBe(yml.custom.eventSource);
    expect(env.EVENT_BUS_NAME).toBe(yml.provider.environment.EVENT_BUS_NAME);
  });

  it('refuses a sandbox value for a variable serverless.yml does not declare', () => {
    const config = loadServerlessConfig(PROJECT_ROOT);
    expect(() => handlerEnvironment(config, { NOT_IN_SERVERLESS_YML: 'x' })).toThrow(/does not declare/);
  });
});
