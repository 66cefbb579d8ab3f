import { describe, expect, expectTypeOf, it } from 'vitest';
import { applyOptions, defineOptions, definePlugin, type OptionsOf } from './define.js';

const schema = defineOptions({
  type: 'object',
  additionalProperties: false,
  properties: {
    n: { type: 'integer', minimum: 1, default: 8 },
    select: { enum: ['reward', 'majority'], default: 'majority' },
    maxTokens: { type: 'integer', minimum: 1 },
  },
});
type O = OptionsOf<typeof schema>;

describe('options written once as a JSON Schema', () => {
  it('OptionsOf: defaulted properties are present, others optional, enums are unions (checked by npm run typecheck)', () => {
    expectTypeOf<O>().toEqualTypeOf<{ n: number; select: 'reward' | 'majority'; maxTokens?: number }>();
    const plugin = definePlugin<O, 'extension'>({ name: 'x', kind: 'extension', apiVersion: 1, optionsSchema: schema, setup() {} });
    expectTypeOf(plugin).parameter(0).toEqualTypeOf<Partial<O> | undefined>();
  });

  it('applyOptions fills the defaults from the schema and rejects bad options like the kernel does', () => {
    expect(applyOptions(schema)).toEqual({ n: 8, select: 'majority' });
    expect(applyOptions(schema, { n: 3, maxTokens: 5 })).toEqual({ n: 3, select: 'majority', maxTokens: 5 });
    expect(() => applyOptions(schema, { n: 0 }, 'demo')).toThrow(/RSN_ERR_PLUGIN_OPTIONS|options of "demo" are invalid: \/n must be >= 1/);
    expect(() => applyOptions(schema, { seleckt: 'x' } as never, 'demo')).toThrow(/unknown key "seleckt" \(did you mean "select"\?\)/);
  });
});
