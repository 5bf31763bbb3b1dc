// A studio's status (DRAFT → PENDING → ACTIVE ↔ INACTIVE, docs/studios.md) in plain words,
// for its owner: the dashboard and the studio editor.

const WORDS = {
  DRAFT: ["Draft", "Only you can see it. Submit it for review when it is ready."],
  PENDING: ["Pending review", "An admin is checking it before it goes live. Withdraw it to change it back to a draft."],
  ACTIVE: ["Active", "It is live: listed in search and on its public page."],
  INACTIVE: ["Inactive", "It is offline: not in search, and its page is hidden from visitors."],
};

/** {label, text} for a managed studio (the API's ManagedStudio). */
export function statusExplained(studio) {
  const [label, text] = WORDS[studio.status] || [studio.status, ""];
  return { label, text };
}

/** The buttons of the moves the API allows now (`allowed_transitions`), in owner's words. */
export const TRANSITION_LABELS = {
  PENDING: "Submit for review",
  DRAFT: "Withdraw to draft",
  ACTIVE: "Publish",
  INACTIVE: "Take offline",
};
