/**
 * Escalation ladders: when to chase an obligation's owners as its deadline approaches and after it passes. Pure, so
 * the workflow can derive the next step from its state on every wake-up (and after a restart) with nothing to persist
 * beyond the steps already sent.
 */
export interface EscalationLadder {
  /** Fractions of the window (clock start → due) at which to escalate, e.g. [0.5, 0.75, 0.9]. */
  at: number[];
  /** Then at the due instant, then every so many seconds while the obligation stays open. */
  overdueEverySeconds: number;
}

export const DEFAULT_LADDER: EscalationLadder = { at: [0.5, 0.75, 0.9], overdueEverySeconds: 24 * 3600 };

export interface EscalationStep {
  /** Unique within one window: `50%`, `due`, `overdue-3`. */
  label: string;
  at: string;
  overdue: boolean;
}

export interface NextEscalation {
  /** Position of the step on the ladder; once it is sent, `index + 1` steps are handled. */
  index: number;
  step: EscalationStep;
  /** Steps already past when the ladder reached them, e.g. when an incident is reported late; never sent. */
  skipped: string[];
}

export function stepAt(ladder: EscalationLadder, window: { startsAt: string; dueAt: string }, index: number): EscalationStep {
  const start = Date.parse(window.startsAt);
  const due = Date.parse(window.dueAt);
  const fractions = [...ladder.at].sort((a, b) => a - b);
  if (index < fractions.length) {
    const f = fractions[index];
    // Exact to twelve digits, so close fractions (0.1 % and 0.2 % of a long window) keep distinct labels and keys.
    return { label: `${Number((f * 100).toPrecision(12))}%`, at: new Date(start + f * (due - start)).toISOString(), overdue: false };
  }
  const n = index - fractions.length;
  if (n === 0) return { label: 'due', at: new Date(due).toISOString(), overdue: false };
  return { label: `overdue-${n}`, at: new Date(due + n * ladder.overdueEverySeconds * 1000).toISOString(), overdue: true };
}

/**
 * The next step to send, given how many steps of this window are handled and the current instant. Of several steps
 * already past, only the latest is sent: three warnings at once would say nothing the last one does not.
 */
export function nextEscalation(ladder: EscalationLadder, window: { startsAt: string; dueAt: string }, handled: number, now: string): NextEscalation {
  const nowMs = Date.parse(now);
  const skipped: string[] = [];
  let index = handled;
  while (Date.parse(stepAt(ladder, window, index + 1).at) <= nowMs) {
    skipped.push(stepAt(ladder, window, index).label);
    index++;
  }
  return { index, step: stepAt(ladder, window, index), skipped };
}
