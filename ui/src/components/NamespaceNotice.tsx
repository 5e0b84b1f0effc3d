import { useState } from "react";

const SEEN_KEY = "renku-fed:namespace-notice-seen";

function seen(notice: string): boolean {
  try {
    return window.localStorage.getItem(SEEN_KEY) === notice;
  } catch {
    return false;
  }
}

/** Why your namespace is not your username (`User.namespaceNotice`), until you dismiss it. */
export function NamespaceNotice(props: { notice: string | null }) {
  const [dismissed, setDismissed] = useState(() => props.notice === null || seen(props.notice));
  if (dismissed || props.notice === null) return null;
  const notice = props.notice;
  const dismiss = () => {
    try {
      window.localStorage.setItem(SEEN_KEY, notice);
    } catch {
      // Without storage the notice comes back on the next visit; dismissing still hides it now.
    }
    setDismissed(true);
  };
  return (
    <div role="status" className="notice">
      <p>{notice}</p>
      <button type="button" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
