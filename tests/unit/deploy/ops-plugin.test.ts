/**
 * scripts/osls-ops-plugin.cjs on its own (the packaging test runs it inside `osls package`): `osls deploy` of the
 * sandbox's stage is refused, and a real stage's secret parameter must be a Secrets Manager ARN of another account.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '#scripts/asl-mermaid.js';

type Hook = () => void;
type PluginClass = new (serverless: unknown, options: unknown) => { hooks: Record<string, Hook> };
const Plugin = createRequire(import.meta.url)(join(ROOT, 'scripts/osls-ops-plugin.cjs')) as PluginClass;

function plugin(stage: string, secretArn: string) {
  const serverless = {
    classes: { Error },
    getProvider: () => ({ getStage: () => stage }),
    service: { custom: { sandboxStage: 'dev' }, provider: { environment: { CONFLUENT_SECRET_ARN: secretArn } } },
  };
  return new Plugin(serverless, {}).hooks;
}
const GOOD = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:pni/confluent-AbCdEf';

test("deploying the sandbox's stage is refused, whatever its parameters", () => {
  expect(() => plugin('dev', GOOD)['before:deploy:deploy']()).toThrow(/stage "dev" is the sandbox's .* never deployed/);
});

test('a real stage: the secret is required, must be a secret ARN, and not the sandbox account', () => {
  expect(() => plugin('prod', '')['before:package:initialize']()).toThrow(
    /needs the deploy parameter confluentSecretArn/,
  );
  expect(() => plugin('prod', 'pni/confluent')['before:package:initialize']()).toThrow(
    /must be a Secrets Manager secret ARN/,
  );
  expect(() =>
    plugin('prod', 'arn:aws:secretsmanager:us-west-2:111122223333:secret:pni/x-Sbx001')['before:deploy:deploy'](),
  ).toThrow(/the sandbox's secret/);
  expect(() => plugin('prod', GOOD)['before:deploy:deploy']()).not.toThrow();
  expect(() => plugin('dev', '')['before:package:initialize']()).not.toThrow(); // packaging the sandbox's stage is fine
});
