package build

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"

	"isomer.dev/isomer/internal/diag"
	"isomer.dev/isomer/internal/site"
	"isomer.dev/isomer/internal/theme"
)

// renderer turns one page into its output bytes: body content first
// (Liquid, then Markdown for .md files, then Isomer components), then the
// theme layout around it.
type renderer struct {
	site  *site.Site
	theme *theme.Theme
	md    goldmark.Markdown
	env   string
	diags *diag.List
}

func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Footnote, extension.DefinitionList),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(html.WithUnsafe(), html.WithXHTML()),
	)
}

// content renders a page body to HTML.
func (r *renderer) content(p *site.Page) ([]byte, error) {
	body := p.Body
	if p.Markdown {
		var buf bytes.Buffer
		if err := r.md.Convert(body, &buf); err != nil {
			return nil, fmt.Errorf("convert Markdown: %w", err)
		}
		body = buf.Bytes()
	}
	return body, nil
}

// page renders p into buf.
func (r *renderer) page(buf *bytes.Buffer, p *site.Page) error {
	content, err := r.content(p)
	if err != nil {
		return err
	}
	switch p.Layout {
	case "none", "blank", "file", "link":
		// No layout: Jekyll writes the converted body alone (file and link
		// layouts do not exist in Isomer's theme).
		buf.Write(content)
		return nil
	}
	if !r.theme.HasLayout(p.Layout) && r.site.Layouts[p.Layout] == "" {
		r.diags.Warnf(p.Path, 0, "layout %q does not exist; the page uses the page layout", p.Layout)
	}
	return r.theme.Render(buf, theme.PageData{
		Site:    r.site,
		Page:    p,
		Content: template.HTML(content),
		Env:     r.env,
	})
}
