// Package tiptap rewrites the rich-text components that IsomerCMS's Tiptap
// editor writes into page bodies into semantic, accessible HTML that works
// under a strict Content-Security-Policy (no style-src 'unsafe-inline').
//
// It runs on a page body after Liquid and kramdown, so its input is HTML as
// kramdown emits it: Tiptap's raw HTML blocks passed through verbatim, void
// tags in XHTML form (<img … />), and a linked image wrapped in <p>.
//
// Components are recognised by element name and class (or data-type), never
// by attribute order or whitespace: DOMPurify reverses attribute order and the
// CMS's beautifier re-wraps lines. The marker strings must appear literally in
// the source (an entity-encoded class name is not recognised); the fast path
// relies on that.
//
// Everything that is not a recognised component or a convertible style (below)
// is copied byte for byte. Only the tags that change are re-rendered
// (attribute values are then re-escaped); text, comments and untouched tags
// keep their source bytes. A body containing none of the marker strings (nor
// "style=") is copied without tokenising.
//
// # Output markup
//
// Card grid (div.isomer-card-grid) becomes a list; each card becomes a list
// item. A clickable card (a.isomer-card with href) becomes a plain container
// whose one link is inside the title (the "stretched link" pattern), so the
// link's accessible name is exactly its visible text, the title (WCAG 2.5.3,
// Label in Name; a whole-card link named by its title alone fails it). The
// image (alt kept), the description and the "Learn more" text stay visible in
// the card, outside the link; the theme stretches the link over the card
// (.isomer-card-anchor::after) so all of it stays clickable, and rings the
// card when the link has focus:
//
//	<ul class="isomer-card-grid">
//	<li class="isomer-card-item"><div class="isomer-card isomer-card-clickable">
//	  <div class="isomer-card-image"><div class="isomer-image-wrapper"><img class="isomer-w-100" alt="…" src="…" …/></div></div>
//	  <div class="isomer-card-body">
//	    <div class="isomer-card-title"><a class="isomer-card-anchor" href="…" rel="…"
//	        aria-describedby="isomer-card-1-description">Title</a></div>
//	    <div class="isomer-card-description" id="isomer-card-1-description">…</div>
//	    <div class="isomer-card-link">Learn more</div>
//	  </div></div></li>
//	<li class="isomer-card-item"><div class="isomer-card">…</div></li>   (non-clickable card: unchanged)
//	</ul>
//
// The link attributes of the card's <a> (href, rel, target, hreflang,
// download, ping, referrerpolicy, type, aria-describedby) move to the new
// link; aria-label and aria-labelledby are dropped, as they would give the
// link a name other than its text; all other attributes stay on the card. A
// card without title text gets the link around its "Learn more" text, else
// around its description; a card with none of the three stays one <a>, named
// by its content (the image's alt text). The link is described by the card
// description through aria-describedby, so it is read out on focus.
//
// An existing id on the description is reused. Generated ids are numbered per
// body, starting after the highest "isomer-card-N" already in it, so they
// never repeat an id the body has. A second pass is a no-op: the card is no
// longer an <a>. An a.isomer-card without href is not a link and is rendered
// as div.isomer-card. Anything else inside a grid (other than whitespace and
// comments) is wrapped in a plain <li> so the list stays valid. A grid whose
// end tag is missing is left as a <div>.
//
// Accordion: details.isomer-details and their group, div[data-type=detailGroup]
// or div.isomer-accordion, stay native <details>/<summary> (no script needed).
// The group always carries isomer-accordion plus isomer-accordion-white or
// isomer-accordion-gray (white when neither is present, the editor's default);
// isomer-accordion-group is kept when present. An empty <summary> gets
// aria-label="Details" (the label browsers show for a details element with no
// summary) so the disclosure button has a name. Content is transformed
// recursively (card grids, images, tables, embeds inside an accordion).
//
// Table: a Tiptap table is recognised by its style="minWidth: Npx" (an invalid
// CSS property Tiptap writes on every table); that declaration is dropped (the
// attribute too when nothing else is left). Each <th> without scope gets
// scope="col" when its row holds only header cells, scope="row" otherwise, so
// header association survives colspan/rowspan. <colgroup>, <col>, colspan and
// rowspan are kept as they are.
//
// Lists: ul/ol with data-tight="true" get the class "tight" if they lack it.
//
// Iframe (inside div.iframe-wrapper): every iframe gets a title if it has none
// ("Embedded content from youtube.com", from the src host without "www.", or
// "Embedded content" when there is no usable host) and loading="lazy" if it has
// no loading attribute. Its style's width and height (px or %) move into the
// width and height attributes and "border: 0" becomes frameborder="0", so
// FormSG's "width: 100%; height: 500px" survives a strict CSP; other
// declarations stay in the style attribute.
//
// Instagram (div.instagram-wrapper): the style attributes of Instagram's
// canned placeholder markup are removed (a strict CSP would ignore them anyway;
// the theme styles .instagram-media), and its decorative <svg> logo gets
// aria-hidden="true". The <script> for embed.js is kept.
//
// Horizontal rules (<hr>) are already semantic and pass through unchanged.
//
// # Inline styles
//
// A strict CSP blocks style attributes, so the ones with a class of their own
// become that class, on any element of the body, inside a component or not:
//
//   - <img> with "width: N%" (N rounded to the nearest integer, 1..100): the
//     class isomer-w-N (the theme defines all 100 as width: N%). Tiptap's
//     image resize writes it (div.isomer-image-wrapper, a.isomer-image-wrapper,
//     div.isomer-card-image), and so does a kramdown IAL {: style="width:50%"}.
//   - <th>, <td>, <p>, <h1>–<h6> and <div> with "text-align: left", "center",
//     "right" or "justify": has-text-left, has-text-centered, has-text-right,
//     has-text-justified (the theme's utilities; kramdown writes the first
//     three for a table's column alignment).
//
// Property names and keywords are case-insensitive, spacing and a trailing ";"
// do not matter, and a style may hold several such declarations (the last one
// of a property wins, as in CSS). The style attribute then goes; the class
// takes its place, or joins an existing class attribute, replacing a class of
// the same kind (the inline style was what showed). A style with any other
// declaration, value or element (a pixel width, "text-align: start",
// "!important", a <span>) is left exactly as written; the site checker
// reports it. Only start tags whose source contains "style=" literally are
// looked at (kramdown and Tiptap both write it so).
package tiptap
