/**
 * Group commit for single writes: requests that arrive while a write is being committed are
 * gathered and written together in the next transaction, so concurrent single creates cost one
 * commit per batch instead of one per request. A lone request is written at once (the next turn
 * of the event loop), so nothing waits for a batch to fill.
 */
export interface BatchOutcome<Out> {
  ok: boolean;
  value?: Out;
  error?: unknown;
}

export function writeBatcher<In, Out>(
  flush: (items: readonly In[]) => Promise<BatchOutcome<Out>[]>,
  maxBatch = 500,
): (item: In) => Promise<Out> {
  let queue: { item: In; resolve: (value: Out) => void; reject: (error: unknown) => void }[] = [];
  let running = false;

  async function drain(): Promise<void> {
    running = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const outcomes = await flush(batch.map((entry) => entry.item));
        batch.forEach((entry, i) => {
          const outcome = outcomes[i];
          if (outcome.ok) entry.resolve(outcome.value as Out);
          else entry.reject(outcome.error);
        });
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    running = false;
  }

  return (item) =>
    new Promise<Out>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!running) {
        running = true;
        setImmediate(() => void drain());
      }
    });
}
