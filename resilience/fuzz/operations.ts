/** A JSON Schema as the OpenAPI document gives it (refs resolved). */
export interface Schema {
  type?: string | string[]
  enum?: unknown[]
  format?: string
  pattern?: string
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  items?: Schema
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  nullable?: boolean
  anyOf?: Schema[]
  oneOf?: Schema[]
  default?: unknown
  $ref?: string
}

export interface Parameter {
  name: string
  in: 'path' | 'query' | 'header'
  required: boolean
  schema: Schema
}

export interface Operation {
  /** `METHOD /path/{id}` as the document writes it. */
  key: string
  method: string
  path: string
  params: Parameter[]
  body?: { contentType: string; schema: Schema }
  secured: boolean
  admin: boolean
  /** Methods the path answers; any other gets 405. */
  pathMethods: string[]
  /** The statuses the document lists for it. */
  responses: string[]
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

/** Inlines every `#/components/schemas/...` reference (the document has no cycles in requests). */
function resolve(doc: any, schema: any, depth = 0): Schema {
  if (!schema || typeof schema !== 'object' || depth > 20) return schema
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '')
    return resolve(doc, doc.components?.schemas?.[name], depth + 1)
  }
  const out: any = Array.isArray(schema) ? [] : {}
  for (const [k, v] of Object.entries(schema)) out[k] = resolve(doc, v, depth + 1)
  return out
}

/** Every operation of an OpenAPI 3.1 document, with its parameters and JSON or multipart body. */
export function operationsOf(doc: any): Operation[] {
  const out: Operation[] = []
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    const pathMethods = METHODS.filter((m) => item[m]).map((m) => m.toUpperCase())
    for (const method of METHODS) {
      const op = item[method]
      if (!op) continue
      const params: Parameter[] = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(
        (p: any) => ({
          name: p.name,
          in: p.in,
          required: Boolean(p.required),
          schema: resolve(doc, p.schema ?? {}),
        }),
      )
      const content = op.requestBody?.content ?? {}
      const contentType = Object.keys(content)[0]
      out.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        params,
        body: contentType
          ? { contentType, schema: resolve(doc, content[contentType].schema) }
          : undefined,
        secured: (op.security ?? doc.security ?? []).length > 0,
        admin: path.startsWith('/api/admin/'),
        pathMethods,
        responses: Object.keys(op.responses ?? {}),
      })
    }
  }
  return out
}
