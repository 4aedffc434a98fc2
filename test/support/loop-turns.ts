// How often the event loop turns while some work runs: a test's way to tell work done on this
// thread (answered before the loop turns once) from work done elsewhere, without timing it.
export async function loopTurns<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let working = true;
  const spin = () => {
    if (!working) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  try {
    return { value: await work(), turns };
  } finally {
    working = false;
  }
}
