/**
 * The one validator of the API's schemas: an ajv instance (the library Fastify uses) that the
 * server compiles every route's schemas with and that the peer stream checks its frames with, so
 * that a transaction or a block is held to one form whichever way it arrives. A failure is told
 * in words that name the field (never a pattern): `body field "sender" must be an address: 66
 * lower-case hex characters`.
 *
 * Strings are measured in code points (ajv's default), as the core's codePoints counts them.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * Bodies are checked as sent: no type coercion (a "5" is not 5), no defaults filled in, no silent
 * removal of unknown fields (they are refused). One error is enough (all errors would cost an
 * attacker nothing and the node much). `verbose` keeps the failing schema, whose description is
 * the worded rule.
 */
export const AJV_OPTIONS = {
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  allErrors: false,
  verbose: true,
  strict: true,
  addUsedSchema: false,
} as const;

export const ajv = new Ajv(AJV_OPTIONS);

const compiled = new WeakMap<object, ValidateFunction>();

/** The compiled validator of `schema` (each schema is compiled once). */
export function compileSchema(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

const ARTICLE: Readonly<Record<string, string>> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  object: 'an object',
  array: 'an array',
  boolean: 'true or false',
  null: 'null',
};

function quoteList(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** What one ajv error says is wrong, in words, without the field's name. */
export function describeError(err: ErrorObject): string {
  const p = err.params as Record<string, unknown>;
  const described = (err.parentSchema as { description?: unknown } | undefined)?.description;
  const rule = typeof described === 'string' ? `must be ${described}` : undefined;
  switch (err.keyword) {
    case 'type': {
      const types = Array.isArray(p.type) ? (p.type as string[]) : [String(p.type)];
      return `must be ${types.map((t) => ARTICLE[t] ?? t).join(' or ')}`;
    }
    case 'required':
      return `lacks the required field "${String(p.missingProperty)}"`;
    case 'additionalProperties':
      return `has an unknown field "${String(p.additionalProperty).slice(0, 64)}"`;
    case 'enum':
      return `must be one of ${quoteList(p.allowedValues as unknown[])}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'minimum':
      return `must be at least ${String(p.limit)}`;
    case 'maximum':
      return `must be at most ${String(p.limit)}`;
    case 'minLength':
      return `must have at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `must have at most ${String(p.limit)} characters`;
    case 'minItems':
      return `must hold at least ${String(p.limit)} items`;
    case 'maxItems':
      return `must hold at most ${String(p.limit)} items`;
    case 'pattern':
    case 'format':
    case 'anyOf':
      return rule ?? 'is not in the expected form';
    default:
      return rule ?? 'is not valid';
  }
}

/** The field an error is about: `"transactions[0].sender"`, or undefined for the value itself. */
function fieldOf(instancePath: string): string | undefined {
  if (instancePath === '') return undefined;
  const parts = instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.reduce((out, part) => (/^[0-9]+$/.test(part) ? `${out}[${part}]` : out === '' ? part : `${out}.${part}`), '');
}

const PART_NAME: Readonly<Record<string, string>> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/**
 * A schema failure in words: `body field "amount" must be an integer`, `the body must be an array`.
 * `part` is where the value came from (Fastify's validation context: body, querystring, params).
 */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined, part = 'body'): string {
  // With one error wanted, ajv stops at the first failing keyword; a union (anyOf) lists its
  // branches' errors first and its own last, which is the one that says what was expected.
  const first = errors?.[errors.length - 1];
  const where = PART_NAME[part] ?? part;
  if (!first) return `the ${where} is not valid`;
  const field = fieldOf(first.instancePath);
  const reason = describeError(first);
  return field === undefined ? `the ${where} ${reason}` : `${where} field "${field}" ${reason}`;
}

/** A checker for input that does not come through Fastify: the reason in words, or undefined when `value` matches. */
export function schemaCheck(schema: object): (value: unknown, part?: string) => string | undefined {
  const validate = compileSchema(schema);
  return (value, part = 'body') => (validate(value) ? undefined : describeErrors(validate.errors, part));
}
