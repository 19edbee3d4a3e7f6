import { useEffect, useRef, useState } from 'react';

/**
 * A destructive action asked twice: the first press shows what will happen and a confirm button
 * in its place (focused, so the keyboard user lands on it); Cancel goes back, focus with it.
 */
export function ConfirmButton({ label, question, confirmLabel, onConfirm, disabled }: {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [cancelled, setCancelled] = useState(false);
  const first = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (cancelled && !asking) first.current?.focus();
  }, [cancelled, asking]);

  async function confirm() {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  }

  function cancel() {
    setCancelled(true);
    setAsking(false);
  }

  if (!asking) {
    return (
      <button ref={first} type="button" className="secondary" onClick={() => setAsking(true)} disabled={disabled}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button type="button" className="danger" onClick={confirm} disabled={busy} autoFocus>
        {confirmLabel}
      </button>
      <button type="button" className="secondary" onClick={cancel} disabled={busy}>
        Cancel
      </button>
    </span>
  );
}
