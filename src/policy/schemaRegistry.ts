/**
 * Every JSON Schema under `schemas/`, compiled by one ajv instance (draft 2020-12, with
 * formats) and looked up by `$id`. Compiled once per process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { SCHEMAS_DIR } from '../paths.js';

// ajv-formats is CommonJS: imported from ESM, its function sits on the default export's `default`.
type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats: AddFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

export interface SchemaRegistry {
  validator(id: string): ValidateFunction;
}

export function loadSchemas(dir: string = SCHEMAS_DIR): SchemaRegistry {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.schema.json')) continue;
    ajv.addSchema(JSON.parse(readFileSync(path.join(entry.parentPath, entry.name), 'utf8')) as object);
  }
  const cache = new Map<string, ValidateFunction>();
  return {
    validator(id) {
      let v = cache.get(id);
      if (!v) {
        v = ajv.getSchema(id);
        if (!v) throw new Error(`no schema with $id ${id} in ${dir}`);
        cache.set(id, v);
      }
      return v;
    },
  };
}

/** One readable line per error: `/device/state must be equal to one of the allowed values`. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '(body)';
    if (e.keyword === 'additionalProperties') return `${where} has unknown field "${String(e.params.additionalProperty)}"`;
    if (e.keyword === 'enum') return `${where} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
    return `${where} ${e.message ?? 'is invalid'}`;
  });
}

let shared: SchemaRegistry | undefined;

/** The registry of the package's own schemas, loaded on first use. */
export function schemas(): SchemaRegistry {
  return (shared ??= loadSchemas());
}
