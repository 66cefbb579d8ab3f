/** @reasoner/plugin-policy-openai — any OpenAI-compatible server as the policy. */
import { definePlugin } from '@reasoner/core';
import { OpenAiPolicy, type OpenAiPolicyOptions } from './policy.js';

export { OpenAiPolicy, policyError, type OpenAiPolicyOptions, type OpenAiPolicyStats, type ProbeResult } from './policy.js';

export default definePlugin<OpenAiPolicyOptions, 'policy'>({
  name: 'policy-openai',
  kind: 'policy',
  apiVersion: 1,
  description: 'Any OpenAI-compatible server (vLLM, llama.cpp, Ollama, OpenAI, reasoner serve) through the official openai client',
  optionsSchema: {
    type: 'object', additionalProperties: false, required: ['baseURL', 'model'],
    properties: {
      baseURL: { type: 'string', minLength: 1, description: 'e.g. http://127.0.0.1:8000/v1' },
      model: { type: 'string', minLength: 1 },
      apiKey: { type: 'string' },
      apiKeyEnv: { type: 'string', default: 'OPENAI_API_KEY' },
      mode: { enum: ['auto', 'chat', 'completion'], default: 'auto' },
      nativeN: { enum: ['auto', 'yes', 'no'], default: 'auto' },
      temperature: { type: 'number', minimum: 0, maximum: 2 },
      topP: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      maxTokens: { type: 'integer', minimum: 1, default: 256 },
      system: { type: 'string' },
      timeoutMs: { type: 'integer', minimum: 1, default: 60_000 },
      maxRetries: { type: 'integer', minimum: 0, maximum: 20, default: 3 },
      concurrency: { type: 'integer', minimum: 1, maximum: 1024, default: 16 },
      probe: { type: 'boolean', default: true },
      probePrompt: { type: 'string', minLength: 1 },
      pricePerMTokens: { type: 'object', additionalProperties: false, required: ['prompt', 'completion'], properties: { prompt: { type: 'number', minimum: 0 }, completion: { type: 'number', minimum: 0 } } },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      id: { type: 'string' },
    },
  },
  async setup(ctx, options) {
    const policy = new OpenAiPolicy(options);
    if (options.probe !== false) {
      const found = await policy.probe();
      ctx.logger.debug?.(`policy-openai: ${options.baseURL} model ${options.model}: mode ${policy.mode}, n ${found.nativeN ? 'native' : 'emulated'}, logprobs ${found.logprobs}`);
    }
    return policy;
  },
});
