/** Lets the event loop serve other requests (I/O, timers) before going on with a long piece of work. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
