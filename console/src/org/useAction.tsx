import { useState } from 'react';
import { queryClient } from '../api';

/** What a write did: the API's refusal as it said it, or a confirmation. */
export interface ActionResult {
  error: string;
  done: string;
}

/**
 * Runs a write, then refreshes the queries it touched (by key prefix); keeps the outcome for a
 * `role="alert"` or `role="status"` line, so a 403 is a message on the page, never a crash.
 */
export function useAction() {
  const [result, setResult] = useState<ActionResult>({ error: '', done: '' });
  const [busy, setBusy] = useState(false);

  async function run(write: () => Promise<unknown>, done: string, refresh: string[]): Promise<boolean> {
    setBusy(true);
    setResult({ error: '', done: '' });
    let outcome: ActionResult;
    try {
      await write();
      outcome = { error: '', done };
    } catch (e) {
      outcome = { error: e instanceof Error ? e.message : String(e), done: '' };
    }
    // The outcome shows once the page has the new state, so what it says and what it shows agree.
    await Promise.all(refresh.map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
    setResult(outcome);
    setBusy(false);
    return outcome.error === '';
  }

  return { ...result, busy, run };
}

export function ActionOutcome({ error, done }: ActionResult) {
  if (error) {
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  }
  return done ? (
    <p role="status" className="ok">
      {done}
    </p>
  ) : null;
}
