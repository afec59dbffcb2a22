import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServerlessConfig } from '#sandbox/serverlessConfig.js';
import { FIXTURE_ROOT } from './helpers.js';

describe('loadServerlessConfig', () => {
  it('resolves service, stage, custom, params and functions', () => {
    const cfg = loadServerlessConfig(FIXTURE_ROOT);
    expect(cfg.service).toBe('fixture-svc');
    expect(cfg.stage).toBe('dev');
    expect(cfg.region).toBe('us-west-2');
    expect(cfg.custom.greeting).toBe('hello-dev');
    expect((cfg.custom.nested as { label: string }).label).toBe('hello-dev-nested');
    expect(cfg.environment).toEqual({
      TABLE: { Ref: 'StateTable' },
      API_URL: 'https://api.example.invalid',
      GREETING: 'hello-dev',
    });
    expect(cfg.functions.prepare).toEqual({
      handlerFile: join(FIXTURE_ROOT, 'functions/prepare.ts'),
      exportName: 'handler',
      timeoutSeconds: 30,
      name: 'fixture-svc-dev-prepare',
      memorySize: 256,
    });
    expect(cfg.functions.boom.timeoutSeconds).toBe(10);
    expect(cfg.functions.sleepy.timeoutSeconds).toBe(1);
  });

  it('resolves state machines: id, name, definition file, eventBridge rules', () => {
    const cfg = loadServerlessConfig(FIXTURE_ROOT);
    const main = cfg.stateMachines.main;
    expect(main.key).toBe('main');
    expect(main.logicalId).toBe('MainStateMachine');
    expect(main.name).toBe('fixture-svc-dev-main');
    expect(main.definitionPath).toBe(join(FIXTURE_ROOT, 'statemachine/main.asl.json'));
    expect(main.definition.StartAt).toBe('Prepare');
    // CloudFormation objects are left for the Step Functions service to resolve.
    expect(main.definition.States.Prepare.Resource).toEqual({ 'Fn::GetAtt': ['prepare', 'Arn'] });
    expect(main.rules).toHaveLength(1);
    expect(main.rules[0].pattern).toEqual({ source: ['fixture.requests'], 'detail-type': ['Fixture Requested'] });
    expect(main.rules[0].inputTransformer?.inputPathsMap.eventId).toBe('$.id');
    expect(main.rules[0].inputTransformer?.inputTemplate).toContain('"eventId":"<eventId>"');
    expect(cfg.stateMachines.child.rules).toEqual([]);
    expect(cfg.stateMachines.slowpoke.rules[0].inputPath).toBe('$.detail');
    expect(cfg.stateMachines.slowpoke.rules[0].pattern.detail).toEqual({ mode: [{ prefix: 'lambda-' }] });
  });

  it('takes the stage from the options', () => {
    const cfg = loadServerlessConfig(FIXTURE_ROOT, { stage: 'prod' });
    expect(cfg.stage).toBe('prod');
    expect(cfg.stateMachines.main.name).toBe('fixture-svc-prod-main');
    expect(cfg.functions.work.name).toBe('fixture-svc-prod-work');
    expect(cfg.custom.greeting).toBe('hello-prod');
  });

  it('names the function key when a handler file does not exist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sls-'));
    mkdirSync(join(dir, 'functions'));
    writeFileSync(
      join(dir, 'serverless.yml'),
      'service: x\nprovider:\n  name: aws\nfunctions:\n  ghost:\n    handler: functions/ghost/handler.handler\n',
    );
    expect(() => loadServerlessConfig(dir)).toThrow(/functions\.ghost\.handler.*not found/);
  });

  it('fails clearly on an unresolvable variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sls-'));
    writeFileSync(
      join(dir, 'serverless.yml'),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a serverless.yml variable, not a template literal
      'service: x\ncustom:\n  a: ${self:custom.nope}\nprovider:\n  name: aws\n',
    );
    expect(() => loadServerlessConfig(dir)).toThrow(/custom\.a.*self:custom\.nope/);
  });

  it('loads the project serverless.yml when its handlers exist', () => {
    // The real file is written in parallel by others; only check that it parses when it can.
    try {
      const cfg = loadServerlessConfig(join(FIXTURE_ROOT, '../../../..'));
      expect(cfg.service).toBe('pni-provisioner');
      expect(cfg.stateMachines.provision?.name).toBe('pni-provisioner-dev-provision');
    } catch (e) {
      expect(String((e as Error).message)).toMatch(/handler file not found|not found/);
    }
  });
});
