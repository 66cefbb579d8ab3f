// Node module hook: resolve workspace packages through their "source" export condition
// (src/*.ts, run by tsx) instead of the built dist/. Same as `node --conditions=source`.
export async function resolve(specifier, context, next) {
  return next(specifier, context.conditions.includes('source') ? context : { ...context, conditions: ['source', ...context.conditions] });
}
