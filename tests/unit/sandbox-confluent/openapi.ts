/**
 * ajv validators built from the Confluent OpenAPI specs copied into sandbox/confluent/openapi/.
 * `#/components/schemas/...` refs resolve inside each spec; OpenAPI-only keywords (discriminator,
 * example, x-*) are ignored (strict: false), `nullable` is understood by ajv itself.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvImport from 'ajv';
import addFormatsImport from 'ajv-formats';
import { parse } from 'yaml';

type AjvClass = typeof AjvImport.default;
type AjvInstance = InstanceType<AjvClass>;
type ValidateFn = ReturnType<AjvInstance['compile']>;
type AddFormats = typeof addFormatsImport.default;
const Ajv = ((AjvImport as unknown as { default?: AjvClass }).default ?? AjvImport) as AjvClass;
const addFormats = ((addFormatsImport as unknown as { default?: AddFormats }).default ??
  addFormatsImport) as AddFormats;

export type SpecName = 'gateway' | 'accessPoint';

const here = dirname(fileURLToPath(import.meta.url));
const SPEC_DIR = join(here, '..', '..', '..', 'sandbox', 'confluent', 'openapi');
const FILES: Record<SpecName, string> = {
  gateway: 'networking-gateway.openapi.yaml',
  accessPoint: 'networking-access-point.openapi.yaml',
};

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
  components: { schemas: Record<string, unknown> };
};

/** Rewrites local refs so they resolve against the schema registered under `id`. */
function rebase(node: unknown, id: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rebase(n, id));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'discriminator') continue;
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${id}${v}` : rebase(v, id);
    }
    return out;
  }
  return node;
}

export class OpenApiValidators {
  private readonly ajv: AjvInstance;
  private readonly docs: Record<SpecName, Doc>;
  private readonly cache = new Map<string, ValidateFn>();

  constructor() {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.docs = {} as Record<SpecName, Doc>;
    for (const name of Object.keys(FILES) as SpecName[]) {
      const doc = parse(readFileSync(join(SPEC_DIR, FILES[name]), 'utf8')) as Doc;
      this.docs[name] = doc;
      this.ajv.addSchema({ $id: `${name}.json`, components: rebase(doc.components, `${name}.json`) });
    }
  }

  private compile(key: string, schema: () => unknown): ValidateFn {
    let fn = this.cache.get(key);
    if (!fn) {
      fn = this.ajv.compile(schema() as object);
      this.cache.set(key, fn);
    }
    return fn;
  }

  /** Errors of `data` against `#/components/schemas/<schema>` (empty = valid). */
  component(spec: SpecName, schema: string): (data: unknown) => string[] {
    if (!this.docs[spec].components.schemas[schema]) throw new Error(`no schema ${schema} in ${spec}`);
    const fn = this.compile(`${spec}#${schema}`, () => ({ $ref: `${spec}.json#/components/schemas/${schema}` }));
    return (data) => (fn(data) ? [] : this.ajv.errorsText(fn.errors, { separator: '\n' }).split('\n'));
  }

  /** The schema of an operation's documented response, or undefined when the status has none. */
  operation(spec: SpecName, path: string, method: string, status: number): ((data: unknown) => string[]) | undefined {
    const response = this.docs[spec].paths[path]?.[method.toLowerCase()]?.responses[String(status)];
    const schema = response?.content?.['application/json']?.schema;
    if (!schema) return undefined;
    const fn = this.compile(`${spec}#${method} ${path} ${status}`, () => rebase(schema, `${spec}.json`));
    return (data) => (fn(data) ? [] : this.ajv.errorsText(fn.errors, { separator: '\n' }).split('\n'));
  }

  /** Whether the spec documents `status` for the operation at all (with or without a body). */
  documents(spec: SpecName, path: string, method: string, status: number): boolean {
    return this.docs[spec].paths[path]?.[method.toLowerCase()]?.responses[String(status)] !== undefined;
  }
}
