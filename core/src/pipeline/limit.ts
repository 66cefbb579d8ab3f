/**
 * Runs `worker` over an async stream with at most `concurrency` in flight, in stream order of
 * start. Stops pulling when `shouldStop()` says so; the first worker error rejects (after the
 * in-flight ones settle), so nothing is left running.
 */
export async function forEachConcurrent<T>(
  items: AsyncIterable<T>,
  concurrency: number,
  worker: (item: T) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  for await (const item of items) {
    if (failure || shouldStop()) break;
    const p: Promise<void> = worker(item).then(
      () => { inFlight.delete(p); },
      (error) => { inFlight.delete(p); failure ??= { error }; },
    );
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw (failure as { error: unknown }).error;
}
