// The console's only data access: the sandbox's control API (/_sandbox/...) and the Step Functions API it serves
// (AWS JSON 1.0 over POST with x-amz-target), exactly as an AWS SDK client would call them.

export class ApiError extends Error {
  /** @param {string} message @param {number} status @param {string} [code] */
  constructor(message, status, code) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** @param {Response} res */
async function readJson(res) {
  const text = await res.text();
  const body = text ? JSON.parse(text) : {};
  if (!res.ok) throw new ApiError(body.message ?? `${res.status} ${res.statusText}`, res.status, body.__type);
  return body;
}

/** GET or POST/DELETE a control route (path relative to /_sandbox/). */
export async function control(path, { method = 'GET', body } = {}) {
  const res = await fetch(`/_sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return readJson(res);
}

/** One Step Functions API call, e.g. sfn('DescribeExecution', { executionArn }). */
export async function sfn(action, body = {}) {
  const res = await fetch('/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${action}` },
    body: JSON.stringify(body),
  });
  return readJson(res);
}

/** Every page of a paginated Step Functions list. */
export async function sfnAll(action, body, key) {
  const out = [];
  let nextToken;
  do {
    const page = await sfn(action, { ...body, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
    out.push(...(page[key] ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

export const listStateMachines = () => sfnAll('ListStateMachines', {}, 'stateMachines');
export const listExecutions = (stateMachineArn) => sfnAll('ListExecutions', { stateMachineArn }, 'executions');
export const describeExecution = (executionArn) => sfn('DescribeExecution', { executionArn });
export const executionHistory = (executionArn) => sfnAll('GetExecutionHistory', { executionArn }, 'events');
export const describeStateMachine = (stateMachineArn) => sfn('DescribeStateMachine', { stateMachineArn });

/**
 * Start `input` on a machine under the CLI's naming rule (cli/remote.ts): the running execution of `base` with the
 * same input is followed; otherwise the first free name of `base`, `base-2`, `base-3`, ...
 */
export async function startNamed(stateMachineArn, base, input) {
  const text = JSON.stringify(input);
  const executions = (await listExecutions(stateMachineArn)).filter(
    (e) => e.name === base || (/^-\d+$/.test(e.name.slice(base.length)) && e.name.startsWith(`${base}-`)),
  );
  for (const e of executions.filter((x) => x.status === 'RUNNING')) {
    const d = await describeExecution(e.executionArn);
    if (d.input === text) return { executionArn: e.executionArn, followed: true };
  }
  const taken = new Set(executions.map((e) => e.name));
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  const out = await sfn('StartExecution', { stateMachineArn, name, input: text });
  return { executionArn: out.executionArn, followed: false };
}
