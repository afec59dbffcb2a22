/**
 * Reads serverless.yml the way the sandbox needs it: the functions (handler file + export + timeout), the
 * state machines (name, logical id, ASL definition) and their EventBridge rules (pattern + input transformer).
 *
 * Only the variable sources this project uses are resolved: ${self:...}, ${sls:stage}, ${opt:x, default},
 * ${param:x} (from params.default / params.<stage>), ${env:X, default} and ${file(./path)} (JSON or YAML).
 * CloudFormation intrinsics (Ref, Fn::GetAtt, ...) are left as they are.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface EventBridgeRuleConfig {
  /** EventBridge pattern (serverless-step-functions `eventBridge.event`). */
  pattern: { source?: string[]; 'detail-type'?: string[]; detail?: unknown; [key: string]: unknown };
  inputTransformer?: { inputPathsMap: Record<string, string>; inputTemplate: string };
  inputPath?: string;
  /** Constant input (serverless-step-functions `input`), sent as JSON. */
  input?: unknown;
  /** The rule's bus (default "default"). */
  eventBusName?: string;
  /** The rule's name (generated when serverless.yml does not name it). */
  name?: string;
  enabled?: boolean;
}

export interface FunctionConfig {
  /** Absolute path of the handler source file (.ts, or .mts/.js/.mjs if there is no .ts). */
  handlerFile: string;
  exportName: string;
  timeoutSeconds: number;
  /** Deployed function name: `${service}-${stage}-${key}` unless serverless.yml sets `name`. */
  name: string;
  memorySize: number;
  /** The function's own `environment`, resolved, when it has one (provider.environment is ServerlessConfig.environment). */
  environment?: Record<string, unknown>;
}

/** The parts of an AWS::DynamoDB::Table's Properties that CreateTable needs (resources.Resources). */
export interface TableDefinition {
  AttributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  GlobalSecondaryIndexes?: {
    IndexName: string;
    KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    Projection: { ProjectionType?: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] };
  }[];
  BillingMode?: 'PAY_PER_REQUEST' | 'PROVISIONED';
}

/**
 * YAML / JSON read from serverless.yml and statemachine/*.asl.json, walked key by key. Its shape is the
 * Serverless Framework's and the ASL schema's (checked by osls and by asl-validator), not TypeScript's.
 */
// biome-ignore lint/suspicious/noExplicitAny: untyped config documents (serverless.yml, ASL), walked and rewritten key by key; their schemas are checked by osls and asl-validator
export type LooseJson = any;

export interface StateMachineConfig {
  key: string;
  /** The `id:` (CloudFormation logical id). */
  logicalId: string;
  /** Resolved state machine name. */
  name: string;
  /** Absolute path of the definition file ('' when the definition is inline). */
  definitionPath: string;
  definition: LooseJson;
  rules: EventBridgeRuleConfig[];
}

export interface ServerlessConfig {
  service: string;
  stage: string;
  region: string;
  /** Project root (absolute). */
  root: string;
  custom: Record<string, unknown>;
  /** provider.environment, resolved (CloudFormation objects such as { Ref: StateTable } left as they are). */
  environment: Record<string, unknown>;
  functions: Record<string, FunctionConfig>;
  stateMachines: Record<string, StateMachineConfig>;
  /** resources.Resources of Type AWS::DynamoDB::Table, by logical id (only the CreateTable fields). */
  tables: Record<string, TableDefinition>;
}

export class ServerlessConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerlessConfigError';
  }
}

const VAR = /\$\{([^${}]*)\}/;
const MAX_PASSES = 200;

type Json = unknown;

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Splits "a, 'b, c', d" at top-level commas (quotes respected). */
function splitFallbacks(expr: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let depth = 0;
  for (const ch of expr) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === '(') {
      depth++;
      cur += ch;
    } else if (ch === ')') {
      depth--;
      cur += ch;
    } else if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

export function loadServerlessConfig(
  root: string,
  opts: { stage?: string; region?: string; file?: string } = {},
): ServerlessConfig {
  const absRoot = resolvePath(root);
  const file = opts.file ? resolvePath(absRoot, opts.file) : resolvePath(absRoot, 'serverless.yml');
  if (!existsSync(file)) throw new ServerlessConfigError(`serverless config not found: ${file}`);
  const raw = parseYaml(readFileSync(file, 'utf8')) as Record<string, LooseJson>;
  if (!raw || typeof raw !== 'object') throw new ServerlessConfigError(`${file}: not a YAML mapping`);

  let stage = opts.stage;
  const resolving = new Set<string>();

  const readFileVar = (relPath: string, baseDir: string): Json => {
    const p = isAbsolute(relPath) ? relPath : resolvePath(baseDir, relPath);
    if (!existsSync(p)) throw new ServerlessConfigError(`\${file(${relPath})}: file not found (${p})`);
    const text = readFileSync(p, 'utf8');
    try {
      return /\.ya?ml$/i.test(p) ? parseYaml(text) : JSON.parse(text);
    } catch (e) {
      throw new ServerlessConfigError(`\${file(${relPath})}: cannot parse ${p}: ${(e as Error).message}`);
    }
  };

  /** Resolves one variable source (no fallbacks); undefined when it has no value. */
  const source = (src: string, where: string): Json => {
    const s = src.trim();
    if (/^'.*'$/s.test(s) || /^".*"$/s.test(s)) return s.slice(1, -1);
    if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
    if (s === 'true' || s === 'false') return s === 'true';
    if (s === 'null') return null;
    const m = /^([a-zA-Z]+):(.*)$/s.exec(s);
    const fileM = /^file\((.+?)\)(?::(.+))?$/s.exec(s);
    if (fileM) {
      const val = readFileVar(fileM[1].trim(), absRoot);
      const resolved = resolveAll(val, `${where} (${fileM[1].trim()})`);
      return fileM[2] ? getPath(resolved, fileM[2].trim()) : resolved;
    }
    if (!m) {
      // A bare word inside ${...} is not something we resolve.
      throw new ServerlessConfigError(`${where}: unsupported variable \${${s}}`);
    }
    const [, kind, rest] = m;
    const path = rest.trim();
    switch (kind) {
      case 'self': {
        if (resolving.has(path)) throw new ServerlessConfigError(`${where}: circular reference \${self:${path}}`);
        resolving.add(path);
        try {
          const v = getPath(raw, path);
          return v === undefined ? undefined : resolveAll(v, `self:${path}`);
        } finally {
          resolving.delete(path);
        }
      }
      case 'sls':
        if (path === 'stage') return currentStage();
        if (path === 'instanceId') return 'sandbox';
        return undefined;
      case 'opt':
        if (path === 'stage') return opts.stage;
        if (path === 'region') return opts.region;
        return undefined;
      case 'param': {
        const params = (raw.params ?? {}) as Record<string, Record<string, unknown>>;
        const st = stage ?? opts.stage;
        const v = (st && params[st]?.[path]) ?? params.default?.[path];
        return v === undefined ? undefined : resolveAll(v, `param:${path}`);
      }
      case 'env':
        return process.env[path];
      case 'aws':
        if (path === 'region') return opts.region;
        return undefined;
      default:
        throw new ServerlessConfigError(`${where}: unsupported variable source "${kind}:" in \${${s}}`);
    }
  };

  const evalVar = (expr: string, where: string): Json => {
    const parts = splitFallbacks(expr);
    for (const p of parts) {
      const v = source(p, where);
      if (v !== undefined && v !== null) return v;
    }
    throw new ServerlessConfigError(`${where}: variable \${${expr}} has no value`);
  };

  const resolveString = (s: string, where: string): Json => {
    let cur: Json = s;
    for (let i = 0; i < MAX_PASSES; i++) {
      if (typeof cur !== 'string') return cur;
      const m = VAR.exec(cur);
      if (!m) return cur;
      const value = evalVar(m[1], where);
      if (m[0] === cur) {
        cur = value;
        continue;
      }
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      cur = cur.slice(0, m.index) + text + cur.slice(m.index + m[0].length);
    }
    throw new ServerlessConfigError(`${where}: too many nested variables in "${s}"`);
  };

  function resolveAll(node: Json, where: string): Json {
    if (typeof node === 'string') return resolveString(node, where);
    if (Array.isArray(node)) return node.map((v, i) => resolveAll(v, `${where}[${i}]`));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = resolveAll(v, where ? `${where}.${k}` : k);
      return out;
    }
    return node;
  }

  function currentStage(): string {
    if (stage) return stage;
    const provStage = raw.provider?.stage;
    if (provStage !== undefined) {
      const v = resolveAll(provStage, 'provider.stage');
      if (typeof v === 'string' && v) return v;
    }
    return 'dev';
  }

  stage = currentStage();
  const service = String(resolveAll(typeof raw.service === 'object' ? raw.service?.name : raw.service, 'service'));
  if (!service || service === 'undefined') throw new ServerlessConfigError(`${file}: "service" is required`);
  const provider = (resolveAll(
    Object.fromEntries(Object.entries(raw.provider ?? {}).filter(([k]) => k !== 'iam' && k !== 'iamRoleStatements')),
    'provider',
  ) ?? {}) as Record<string, LooseJson>;
  const region = opts.region ?? (typeof provider.region === 'string' ? provider.region : 'us-east-1');
  const custom = (resolveAll(raw.custom ?? {}, 'custom') ?? {}) as Record<string, unknown>;
  const providerTimeout = typeof provider.timeout === 'number' ? provider.timeout : 6;
  const providerMemory = typeof provider.memorySize === 'number' ? provider.memorySize : 1024;

  const functions: Record<string, FunctionConfig> = {};
  for (const [key, fnRaw] of Object.entries((raw.functions ?? {}) as Record<string, LooseJson>)) {
    const fn = resolveAll(fnRaw, `functions.${key}`) as Record<string, LooseJson>;
    const handler = fn?.handler;
    if (typeof handler !== 'string' || !handler.includes('.')) {
      throw new ServerlessConfigError(
        `functions.${key}.handler: expected "path/to/file.export", got ${JSON.stringify(handler)}`,
      );
    }
    const dot = handler.lastIndexOf('.');
    const base = handler.slice(0, dot);
    const exportName = handler.slice(dot + 1);
    const candidates = ['.ts', '.mts', '.js', '.mjs'].map((ext) => resolvePath(absRoot, base + ext));
    const handlerFile = candidates.find((c) => existsSync(c));
    if (!handlerFile) {
      throw new ServerlessConfigError(
        `functions.${key}.handler "${handler}": handler file not found (looked for ${base}.ts, .mts, .js, .mjs under ${absRoot})`,
      );
    }
    functions[key] = {
      handlerFile,
      exportName,
      timeoutSeconds: typeof fn.timeout === 'number' ? fn.timeout : providerTimeout,
      name: typeof fn.name === 'string' ? fn.name : `${service}-${stage}-${key}`,
      memorySize: typeof fn.memorySize === 'number' ? fn.memorySize : providerMemory,
    };
    if (fn.environment && typeof fn.environment === 'object') functions[key].environment = fn.environment;
  }

  const stateMachines: Record<string, StateMachineConfig> = {};
  const smRaw = (raw.stepFunctions?.stateMachines ?? {}) as Record<string, LooseJson>;
  for (const [key, sm] of Object.entries(smRaw)) {
    const where = `stepFunctions.stateMachines.${key}`;
    let definitionPath = '';
    let definition: LooseJson;
    const defRaw = sm?.definition;
    if (typeof defRaw === 'string') {
      const fm = /^\$\{file\((.+?)\)\}$/.exec(defRaw.trim());
      if (fm) {
        definitionPath = resolvePath(absRoot, fm[1].trim());
        definition = readFileVar(fm[1].trim(), absRoot);
      } else {
        const v = resolveAll(defRaw, `${where}.definition`);
        definition = typeof v === 'string' ? JSON.parse(v) : v;
      }
    } else if (defRaw && typeof defRaw === 'object') {
      definition = defRaw;
    } else {
      throw new ServerlessConfigError(`${where}.definition: missing`);
    }
    // Variables inside the definition itself (rare), CloudFormation objects are kept.
    definition = resolveAll(definition, `${where}.definition`);
    const logicalId =
      typeof sm.id === 'string'
        ? sm.id
        : `${key.charAt(0).toUpperCase()}${key.slice(1).replace(/[^A-Za-z0-9]/g, '')}StepFunctionsStateMachine`;
    const name = sm.name !== undefined ? String(resolveAll(sm.name, `${where}.name`)) : `${logicalId}-sandbox`;
    const rules: EventBridgeRuleConfig[] = [];
    const events = Array.isArray(sm.events) ? sm.events : [];
    events.forEach((evRaw: LooseJson, i: number) => {
      const ev = evRaw?.eventBridge ?? evRaw?.cloudwatchEvent ?? evRaw?.cloudWatchEvent;
      if (!ev) return;
      const e = resolveAll(ev, `${where}.events[${i}]`) as Record<string, LooseJson>;
      const pattern = (e.event ?? e.pattern ?? {}) as EventBridgeRuleConfig['pattern'];
      const rule: EventBridgeRuleConfig = { pattern };
      if (e.inputTransformer) {
        rule.inputTransformer = {
          inputPathsMap: (e.inputTransformer.inputPathsMap ?? {}) as Record<string, string>,
          inputTemplate: String(e.inputTransformer.inputTemplate ?? ''),
        };
      }
      if (typeof e.inputPath === 'string') rule.inputPath = e.inputPath;
      if (e.input !== undefined) rule.input = e.input;
      if (typeof e.eventBusName === 'string') rule.eventBusName = e.eventBusName;
      rule.name = typeof e.name === 'string' ? e.name : `${name}-rule-${i + 1}`.slice(0, 64);
      if (e.enabled === false) rule.enabled = false;
      rules.push(rule);
    });
    stateMachines[key] = { key, logicalId, name, definitionPath, definition, rules };
  }

  // Only the DynamoDB tables, and only the fields CreateTable needs, are resolved (the other resources hold
  // CloudFormation intrinsics and IAM documents the sandbox has no use for).
  const tables: Record<string, TableDefinition> = {};
  const resourcesRaw = (raw.resources?.Resources ?? {}) as Record<string, { Type?: unknown; Properties?: unknown }>;
  for (const [logicalId, res] of Object.entries(resourcesRaw)) {
    if (res?.Type !== 'AWS::DynamoDB::Table') continue;
    const props = (res.Properties ?? {}) as Record<string, unknown>;
    const pick = (k: string): unknown =>
      props[k] === undefined ? undefined : resolveAll(props[k], `resources.Resources.${logicalId}.Properties.${k}`);
    const def = {
      AttributeDefinitions: pick('AttributeDefinitions'),
      KeySchema: pick('KeySchema'),
      GlobalSecondaryIndexes: pick('GlobalSecondaryIndexes'),
      BillingMode: pick('BillingMode'),
    } as TableDefinition;
    // A table without a key schema cannot be created (e.g. a placeholder in a test fixture): it is left out, and
    // anything that refers to it (an environment variable's { Ref }) fails loudly in the sandbox.
    if (!Array.isArray(def.AttributeDefinitions) || !Array.isArray(def.KeySchema)) continue;
    if (def.GlobalSecondaryIndexes === undefined) delete def.GlobalSecondaryIndexes;
    if (def.BillingMode === undefined) delete def.BillingMode;
    tables[logicalId] = def;
  }

  return {
    service,
    stage,
    region,
    root: absRoot,
    custom,
    environment: (provider.environment ?? {}) as Record<string, unknown>,
    functions,
    stateMachines,
    tables,
  };
}
