/** Request-body schemas (ajv through Fastify; no type coercion, unknown OpenAI fields allowed). */
const text = (max = 200_000) => ({ type: 'string', maxLength: max });
const nullable = (s: Record<string, unknown>) => ({ anyOf: [s, { type: 'null' }] });

export const searchSpecSchema = {
  anyOf: [
    { type: 'string', minLength: 1, maxLength: 300 },
    {
      type: 'object', required: ['use'], additionalProperties: false,
      properties: { use: { type: 'string', minLength: 1, maxLength: 300 }, options: { type: 'object' } },
    },
  ],
};

export const budgetSchema = {
  type: 'object', additionalProperties: false,
  properties: { tokens: { type: 'integer', minimum: 1 }, calls: { type: 'integer', minimum: 1 }, ms: { type: 'integer', minimum: 1 } },
};

const sampling = {
  model: { type: 'string', minLength: 1, maxLength: 300 },
  n: nullable({ type: 'integer', minimum: 1, maximum: 128 }),
  max_tokens: nullable({ type: 'integer', minimum: 1, maximum: 1_000_000 }),
  temperature: nullable({ type: 'number', minimum: 0, maximum: 2 }),
  top_p: nullable({ type: 'number', exclusiveMinimum: 0, maximum: 1 }),
  stop: nullable({ anyOf: [text(1000), { type: 'array', maxItems: 4, items: text(1000) }] }),
  seed: nullable({ type: 'integer' }),
  stream: nullable({ type: 'boolean' }),
  stream_options: nullable({ type: 'object', properties: { include_usage: { type: 'boolean' } } }),
  user: { type: 'string', maxLength: 1000 },
  search: searchSpecSchema,
  budget: budgetSchema,
};

const contentPart = { type: 'object', required: ['type'], properties: { type: { type: 'string' }, text: text() } };

export const chatSchema = {
  type: 'object', required: ['model', 'messages'],
  properties: {
    ...sampling,
    messages: {
      type: 'array', minItems: 1, maxItems: 512,
      items: {
        type: 'object', required: ['role'],
        properties: {
          role: { enum: ['system', 'developer', 'user', 'assistant', 'tool'] },
          content: nullable({ anyOf: [text(), { type: 'array', maxItems: 64, items: contentPart }] }),
          name: { type: 'string', maxLength: 200 },
        },
      },
    },
    max_completion_tokens: nullable({ type: 'integer', minimum: 1, maximum: 1_000_000 }),
    logprobs: nullable({ type: 'boolean' }),
    top_logprobs: nullable({ type: 'integer', minimum: 0, maximum: 20 }),
  },
};

export const completionSchema = {
  type: 'object', required: ['model', 'prompt'],
  properties: {
    ...sampling,
    prompt: { anyOf: [text(), { type: 'array', minItems: 1, maxItems: 64, items: text() }] },
    logprobs: nullable({ type: 'integer', minimum: 0, maximum: 5 }),
    echo: nullable({ type: 'boolean' }),
  },
};

export const taskSchema = {
  type: 'object', required: ['prompt'], additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200 }, prompt: text(), answer: text(10_000), meta: { type: 'object' },
  },
};

export const reasonSchema = {
  type: 'object', additionalProperties: false,
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 300 },
    prompt: text(),
    task: taskSchema,
    search: searchSpecSchema,
    budget: budgetSchema,
    seed: { type: 'integer' },
    stream: { type: 'boolean' },
  },
};

export const runSchema = {
  type: 'object', additionalProperties: false,
  properties: {
    config: { type: 'object' },
    limit: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    concurrency: { type: 'integer', minimum: 1, maximum: 256 },
    runId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' },
  },
};

export const rewardSchema = {
  type: 'object', required: ['query'],
  properties: {
    query: { type: 'array', maxItems: 4096, items: text() },
    prompts: { type: 'array', maxItems: 4096, items: text() },
    labels: { type: 'array', maxItems: 4096, items: nullable({ type: 'string', maxLength: 10_000 }) },
  },
};
