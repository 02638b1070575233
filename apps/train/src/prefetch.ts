/**
 * Asks for the next batch before the current one is consumed: the generator starts its file reads
 * (feature cache, libuv thread pool) while the synchronous optimizer step holds the main thread.
 */
export async function* prefetch<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  while (true) {
    const current = await pending;
    if (current.done) return;
    pending = iterator.next();
    yield current.value;
  }
}
