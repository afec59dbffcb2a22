/**
 * osls plugin (issue 12): deploy safety and per-function alarms. Loaded from serverless.yml `plugins`.
 *
 * 1. Deploy parameters. The sandbox's stage (custom.sandboxStage, "dev") is the only one with built-in values,
 *    and it is never deployed. Every other stage must be given `--param confluentSecretArn=arn:...:secret:...`,
 *    and no value of the sandbox (its account id) may reach its template. `osls package` and `osls deploy`
 *    both refuse with a message naming what to set.
 * 2. One alarm per function on Errors + Throttles (AWS/Lambda), to the AlarmTopic, and the X-Ray write
 *    policy (LambdaTracingPolicy) attached to every function's role.
 *
 * CommonJS because osls loads local plugins with require().
 */
'use strict';

/** The sandbox's AWS account (sandbox/seed.ts SEED.accountId; packaging.test.ts keeps them equal). */
const SANDBOX_ACCOUNT_ID = '111122223333';
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

class PniOpsPlugin {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options || {};
    this.hooks = {
      'before:package:initialize': () => this.checkParameters('package'),
      'before:package:finalize': () => {
        this.addOperations();
        this.checkTemplate();
      },
      'before:deploy:deploy': () => this.checkDeploy(),
    };
  }

  error(message) {
    const ServerlessError = this.serverless.classes?.Error;
    return ServerlessError ? new ServerlessError(message, 'PNI_DEPLOY_PARAMETERS') : new Error(message);
  }

  stage() {
    return this.serverless.getProvider('aws').getStage();
  }

  sandboxStage() {
    return this.serverless.service.custom?.sandboxStage || 'dev';
  }

  checkParameters() {
    const stage = this.stage();
    if (stage === this.sandboxStage()) return;
    const arn = String(this.serverless.service.provider.environment?.CONFLUENT_SECRET_ARN || '').trim();
    const example =
      'npx osls deploy --stage ' +
      stage +
      ' --region <region> --param confluentSecretArn=arn:aws:secretsmanager:<region>:<account>:secret:<name>';
    if (!arn) {
      throw this.error(
        `stage "${stage}" needs the deploy parameter confluentSecretArn (the Secrets Manager ARN of the Confluent Cloud API key, {"key": "...", "secret": "..."}): ${example}. See README "Deploy to AWS".`,
      );
    }
    if (!SECRET_ARN.test(arn)) {
      throw this.error(
        `the deploy parameter confluentSecretArn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), got "${arn}"`,
      );
    }
    if (arn.includes(SANDBOX_ACCOUNT_ID)) {
      throw this.error(
        `the deploy parameter confluentSecretArn is the sandbox's secret (account ${SANDBOX_ACCOUNT_ID}); give stage "${stage}" your own secret's ARN`,
      );
    }
  }

  checkDeploy() {
    const stage = this.stage();
    if (stage === this.sandboxStage()) {
      throw this.error(
        `stage "${stage}" is the sandbox's (its values exist only on this machine) and is never deployed: deploy a stage of your own, e.g. --stage prod --param confluentSecretArn=arn:aws:secretsmanager:...`,
      );
    }
    this.checkParameters();
  }

  template() {
    return this.serverless.service.provider.compiledCloudFormationTemplate;
  }

  addOperations() {
    const template = this.template();
    const resources = template.Resources;
    const naming = this.serverless.getProvider('aws').naming;
    const roles = [];
    for (const key of this.serverless.service.getAllFunctions()) {
      const fn = this.serverless.service.getFunction(key);
      const logicalId = naming.getLambdaLogicalId(key);
      // `role: <LogicalId>` in serverless.yml (every function has its own)
      if (typeof fn.role === 'string' && !roles.includes(fn.role)) roles.push(fn.role);
      resources[`${logicalId.replace(/LambdaFunction$/, '')}ErrorsAlarm`] = {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: `${fn.name}-errors-or-throttles`,
          AlarmDescription: `Lambda ${fn.name} failed or was throttled (the state machine retries; repeated failures end in a rollback). Its logs: /aws/lambda/${fn.name}`,
          Metrics: [
            {
              Id: 'errors',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/Lambda',
                  MetricName: 'Errors',
                  Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId } }],
                },
                Period: 300,
                Stat: 'Sum',
              },
              ReturnData: false,
            },
            {
              Id: 'throttles',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/Lambda',
                  MetricName: 'Throttles',
                  Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId } }],
                },
                Period: 300,
                Stat: 'Sum',
              },
              ReturnData: false,
            },
            {
              Id: 'total',
              Expression: 'FILL(errors, 0) + FILL(throttles, 0)',
              Label: 'errors + throttles',
              ReturnData: true,
            },
          ],
          EvaluationPeriods: 1,
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: 'AlarmTopic' }],
        },
      };
    }
    // resources.Resources of serverless.yml are merged into the template after this hook (package:finalize)
    const custom = this.serverless.service.resources?.Resources?.LambdaTracingPolicy;
    if (custom) custom.Properties.Roles = roles.map((r) => ({ Ref: r }));
  }

  checkTemplate() {
    const stage = this.stage();
    if (stage === this.sandboxStage()) return;
    const text = JSON.stringify([this.template(), this.serverless.service.resources]);
    if (text.includes(SANDBOX_ACCOUNT_ID)) {
      throw this.error(
        `the template of stage "${stage}" contains the sandbox's account id ${SANDBOX_ACCOUNT_ID}: a sandbox value would reach AWS. Check the --param values and serverless.yml params.`,
      );
    }
  }
}

module.exports = PniOpsPlugin;
