import MarkdownIt from "markdown-it";

// html: false escapes any HTML in the source; markdown-it drops javascript: and data: links.
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

/** Markdown rendered safely: the source's own HTML is shown as text, never run. */
export function Markdown(props: { source: string | null | undefined; label: string }) {
  if (!props.source) return null;
  return (
    <div
      className="markdown"
      aria-label={props.label}
      dangerouslySetInnerHTML={{ __html: markdown.render(props.source) }}
    />
  );
}
