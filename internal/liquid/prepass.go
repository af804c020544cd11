package liquid

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"isomer.dev/isomer/internal/diag"
)

// The pre-pass reads a template the way Liquid 5's tokenizer does, applies
// whitespace control and Liquid's "blank block" rule, checks every tag and
// expression, and then writes a canonical template for osteele/liquid's
// parser. Anything that would make Jekyll stop (unknown tag, unclosed
// block, malformed tag) is reported and written out as literal text, so the
// rest of the page still renders. The canonical form keeps every newline so
// that osteele/liquid's line numbers match the source.

// Raw blocks end at any tag named endraw; unlike Liquid 5.4 we also accept
// "{%- endraw -%}" with whitespace-control dashes.
var (
	reToken   = regexp.MustCompile(`(?s)\{%.*?%\}|\{\{.*?\}\}?|\{%|\{\{`)
	reFullTag = regexp.MustCompile(`(?s)^\{%-?\s*(#|\w+)\s*(.*?)-?%\}$`)
	reFullVar = regexp.MustCompile(`(?s)^\{\{-?(.*?)-?\}\}$`)
)

type tkind uint8

const (
	tText tkind = iota
	tObject
	tTag
)

type emitKind uint8

const (
	emitNormal emitKind = iota
	emitLiteral
	emitDrop
	emitStripped // whitespace removed by the blank-block rule
	emitRawBody  // inside raw: written out with the raw tag
)

type token struct {
	kind         tkind
	src          string // as written
	line         int    // file line where the token starts
	name, markup string
	trimL, trimR bool
	text         string // text tokens: content after whitespace control
	emit         emitKind
	block        int    // index into blocks when this tag opens a block, else -1
	rawBody      string // for an opening raw tag: the verbatim body
	nlBefore     int    // newlines removed from the text before (whitespace control)
	nlAfter      int    // newlines removed from the text after
}

// tagKind says how a tag participates in block structure.
type tagKind uint8

const (
	tagInline tagKind = iota
	tagBlock
	tagClause
)

type tagInfo struct {
	kind    tagKind
	parents []string // clauses: the blocks they may appear in
	blank   bool     // inline tags that Liquid considers blank
	strips  bool     // blocks whose blank bodies lose their whitespace
	check   func(markup string) (warning, err error)
}

type block struct {
	open    int
	name    string
	bodies  [][]int // direct children per body (first body, then one per clause)
	clauses []int
	blank   bool
}

type prepass struct {
	e      *Engine
	path   string
	toks   []token
	blocks []*block
	diags  []diag.Diagnostic
}

func (pp *prepass) report(sev diag.Severity, line int, format string, args ...any) {
	pp.diags = append(pp.diags, diag.Diagnostic{Path: pp.path, Line: line, Severity: sev,
		Message: fmt.Sprintf(format, args...)})
}

// maxNesting caps block depth; deeper blocks are left as text.
const maxNesting = 100

// canonicalize runs the pre-pass and returns the osteele/liquid source.
func (e *Engine) canonicalize(src, path string, line int) (string, []diag.Diagnostic) {
	pp := &prepass{e: e, path: path}
	pp.tokenize(src, line)
	pp.trim()
	pp.structure()
	pp.strip()
	return pp.emit(), pp.diags
}

func (pp *prepass) tokenize(src string, line int) {
	pos := 0
	add := func(t token) {
		t.block = -1
		pp.toks = append(pp.toks, t)
	}
	for _, m := range reToken.FindAllStringIndex(src, -1) {
		if pos < m[0] {
			text := src[pos:m[0]]
			add(token{kind: tText, src: text, text: text, line: line})
			line += strings.Count(text, "\n")
		}
		s := src[m[0]:m[1]]
		t := token{src: s, line: line}
		switch {
		case strings.HasPrefix(s, "{%"):
			if sm := reFullTag.FindStringSubmatch(s); sm != nil {
				t.kind, t.name, t.markup = tTag, sm[1], sm[2]
				t.trimL = len(s) > 2 && s[2] == '-'
				t.trimR = len(s) > 4 && s[len(s)-3] == '-'
			} else {
				t.kind, t.text, t.emit = tText, s, emitLiteral
				pp.report(diag.Error, line, "%s is not a complete tag (it needs a name and a closing %%}); it is shown as typed", quoteSrc(s))
			}
		default:
			if sm := reFullVar.FindStringSubmatch(s); sm != nil {
				t.kind, t.markup = tObject, sm[1]
				t.trimL = len(s) > 2 && s[2] == '-'
				t.trimR = len(s) > 4 && s[len(s)-3] == '-'
			} else {
				t.kind, t.text, t.emit = tText, s, emitLiteral
				pp.report(diag.Error, line, "%s is not closed with }}; it is shown as typed", quoteSrc(s))
			}
		}
		add(t)
		line += strings.Count(s, "\n")
		pos = m[1]
	}
	if pos < len(src) {
		add(token{kind: tText, src: src[pos:], text: src[pos:], line: line})
	}
}

// quoteSrc shortens a token for messages.
func quoteSrc(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return "“" + s + "”"
}

// trim applies {%- -%} and {{- -}}: the neighbouring text token loses its
// whitespace, as in Liquid (only text, never another tag's output). Raw
// bodies are skipped: Liquid does not trim inside them.
func (pp *prepass) trim() {
	lastRawEnd := -1
	for i := range pp.toks {
		if pp.toks[i].kind == tTag && pp.toks[i].name == "endraw" {
			lastRawEnd = i
		}
	}
	inRaw := false
	for i := range pp.toks {
		t := &pp.toks[i]
		if t.kind == tText {
			continue
		}
		if inRaw {
			if t.kind == tTag && t.name == "endraw" {
				inRaw = false
			}
			continue
		}
		// A raw tag without an end is shown as typed; it does not start raw mode.
		isRaw := t.kind == tTag && t.name == "raw" && i < lastRawEnd
		if isRaw {
			inRaw = true
		}
		if t.trimL && i > 0 && pp.toks[i-1].kind == tText && pp.toks[i-1].emit == emitNormal {
			p := &pp.toks[i-1]
			trimmed := strings.TrimRightFunc(p.text, unicode.IsSpace)
			t.nlBefore += strings.Count(p.text[len(trimmed):], "\n")
			p.text = trimmed
		}
		if t.trimR && !isRaw && i+1 < len(pp.toks) && pp.toks[i+1].kind == tText && pp.toks[i+1].emit == emitNormal {
			n := &pp.toks[i+1]
			trimmed := strings.TrimLeftFunc(n.text, unicode.IsSpace)
			t.nlAfter += strings.Count(n.text[:len(n.text)-len(trimmed)], "\n")
			n.text = trimmed
		}
	}
}

type frame struct {
	b         *block
	dissolved bool // the opener was invalid: its clauses and end become text
}

// structure matches blocks, checks tags and expressions, and decides what
// becomes literal text.
func (pp *prepass) structure() {
	var stack []*frame
	root := &block{bodies: [][]int{nil}}
	cur := func() *block {
		if len(stack) == 0 {
			return root
		}
		return stack[len(stack)-1].b
	}
	addItem := func(i int) {
		b := cur()
		b.bodies[len(b.bodies)-1] = append(b.bodies[len(b.bodies)-1], i)
	}
	literal := func(i int) {
		pp.toks[i].emit = emitLiteral
		pp.toks[i].kind = tText
		pp.toks[i].text = pp.toks[i].src
	}
	// dissolve turns an open block into text: its tags become literal and
	// its children move up to the parent body.
	dissolve := func(f *frame) {
		literal(f.b.open)
		for _, c := range f.b.clauses {
			literal(c)
		}
		parent := cur()
		pb := parent.bodies[len(parent.bodies)-1]
		for k := len(pb) - 1; k >= 0; k-- {
			if pb[k] == f.b.open {
				pb = append(pb[:k:k], pb[k+1:]...)
				break
			}
		}
		parent.bodies[len(parent.bodies)-1] = pb
		items := []int{f.b.open}
		ci := 0
		for bi, body := range f.b.bodies {
			if bi > 0 {
				items = append(items, f.b.clauses[ci])
				ci++
			}
			items = append(items, body...)
		}
		pp.toks[f.b.open].block = -1
		parent.bodies[len(parent.bodies)-1] = append(parent.bodies[len(parent.bodies)-1], items...)
	}
	pop := func() *frame {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		return f
	}

	for i := 0; i < len(pp.toks); i++ {
		t := &pp.toks[i]
		switch t.kind {
		case tText:
			addItem(i)
			continue
		case tObject:
			pp.checkObject(t)
			addItem(i)
			continue
		}
		name := t.name
		switch name {
		case "comment":
			end := pp.findCommentEnd(i)
			if end < 0 {
				pp.report(diag.Error, t.line, "{%% comment %%} is never closed with {%% endcomment %%}; the tag is shown as typed")
				literal(i)
				addItem(i)
				continue
			}
			for j := i; j <= end; j++ {
				pp.toks[j].emit = emitDrop
			}
			addItem(i) // a blank item: it matters for the blank-block rule
			i = end
			continue
		case "raw":
			end := -1
			for j := i + 1; j < len(pp.toks); j++ {
				if pp.toks[j].kind == tTag && pp.toks[j].name == "endraw" {
					end = j
					break
				}
			}
			if end < 0 {
				pp.report(diag.Error, t.line, "{%% raw %%} is never closed with {%% endraw %%}; the tag is shown as typed")
				literal(i)
				addItem(i)
				continue
			}
			if strings.TrimSpace(t.markup) != "" {
				pp.report(diag.Warning, t.line, "{%% raw %%} takes no arguments; %q is ignored", strings.TrimSpace(t.markup))
			}
			var body strings.Builder
			for j := i + 1; j < end; j++ {
				body.WriteString(pp.toks[j].src)
				pp.toks[j].emit = emitRawBody
			}
			t.rawBody = body.String()
			pp.toks[end].emit = emitDrop
			// Liquid carries the raw tag's "-%}" to the text after endraw.
			if t.trimR && end+1 < len(pp.toks) && pp.toks[end+1].kind == tText && pp.toks[end+1].emit == emitNormal {
				n := &pp.toks[end+1]
				trimmed := strings.TrimLeftFunc(n.text, unicode.IsSpace)
				pp.toks[end].nlAfter += strings.Count(n.text[:len(n.text)-len(trimmed)], "\n")
				n.text = trimmed
			}
			addItem(i)
			i = end
			continue
		}

		info, known := pp.e.tags[name]
		if strings.HasPrefix(name, "end") && !known {
			opener := name[3:]
			if oi, ok := pp.e.tags[opener]; ok && oi.kind == tagBlock || opener == "comment" || opener == "raw" {
				// Find the block this end tag closes.
				match := -1
				for k := len(stack) - 1; k >= 0; k-- {
					if stack[k].b.name == opener {
						match = k
						break
					}
				}
				if match < 0 {
					pp.report(diag.Error, t.line, "{%% %s %%} has no matching {%% %s %%}; it is shown as typed", name, opener)
					literal(i)
					addItem(i)
					continue
				}
				for len(stack)-1 > match {
					f := pop()
					if !f.dissolved {
						pp.report(diag.Error, pp.toks[f.b.open].line, "{%% %s %%} is never closed with {%% end%s %%}; the tag is shown as typed", f.b.name, f.b.name)
					}
					dissolve(f)
				}
				f := pop()
				if f.dissolved {
					literal(i)
					dissolve(f)
					addItem(i)
					continue
				}
				pp.blocks = append(pp.blocks, f.b)
				pp.toks[f.b.open].block = len(pp.blocks) - 1
				continue
			}
		}
		if !known {
			switch name {
			case "render", "liquid":
				pp.report(diag.Error, t.line, "the {%% %s %%} tag is not supported by Jekyll 4's Liquid; the tag is shown as typed", name)
			default:
				pp.report(diag.Error, t.line, "unknown tag %q; the tag is shown as typed", name)
			}
			literal(i)
			addItem(i)
			continue
		}

		var warn, err error
		if info.check != nil {
			warn, err = info.check(t.markup)
		}
		switch info.kind {
		case tagClause:
			top := cur()
			ok := len(stack) > 0 && hasString(info.parents, top.name)
			if !ok {
				where := "outside any block"
				if len(stack) > 0 {
					where = "inside {% " + top.name + " %}"
				}
				pp.report(diag.Error, t.line, "{%% %s %%} is not allowed %s; it is shown as typed", name, where)
				literal(i)
				addItem(i)
				continue
			}
			f := stack[len(stack)-1]
			if f.dissolved {
				literal(i)
				addItem(i)
				continue
			}
			if err != nil {
				pp.report(diag.Error, t.line, "syntax error in %s: %v; the whole {%% %s %%} block is shown as typed", quoteSrc(t.src), err, top.name)
				f.dissolved = true
				top.clauses = append(top.clauses, i)
				top.bodies = append(top.bodies, nil)
				continue
			}
			if warn != nil {
				pp.report(diag.Warning, t.line, "syntax error in %s: %v; read leniently, as Jekyll does", quoteSrc(t.src), warn)
			}
			top.clauses = append(top.clauses, i)
			top.bodies = append(top.bodies, nil)
		case tagBlock:
			b := &block{open: i, name: name, bodies: [][]int{nil}}
			addItem(i)
			f := &frame{b: b}
			switch {
			case len(stack) >= maxNesting:
				pp.report(diag.Error, t.line, "blocks are nested more than %d deep; {%% %s %%} is shown as typed", maxNesting, name)
				f.dissolved = true
			case err != nil:
				pp.report(diag.Error, t.line, "syntax error in %s: %v; the whole {%% %s %%} block is shown as typed", quoteSrc(t.src), err, name)
				f.dissolved = true
			case warn != nil:
				pp.report(diag.Warning, t.line, "syntax error in %s: %v; read leniently, as Jekyll does", quoteSrc(t.src), warn)
			}
			stack = append(stack, f)
		default:
			if err != nil {
				pp.report(diag.Error, t.line, "syntax error in %s: %v; the tag is shown as typed", quoteSrc(t.src), err)
				literal(i)
				addItem(i)
				continue
			}
			if warn != nil {
				pp.report(diag.Warning, t.line, "syntax error in %s: %v; read leniently, as Jekyll does", quoteSrc(t.src), warn)
			}
			addItem(i)
		}
	}
	for len(stack) > 0 {
		f := pop()
		if !f.dissolved {
			pp.report(diag.Error, pp.toks[f.b.open].line, "{%% %s %%} is never closed with {%% end%s %%}; the tag is shown as typed", f.b.name, f.b.name)
		}
		dissolve(f)
	}
}

// findCommentEnd finds the endcomment matching the comment at i, counting
// nested comments and skipping raw sections, as Liquid's parser does.
func (pp *prepass) findCommentEnd(i int) int {
	depth := 0
	inRaw := false
	for j := i; j < len(pp.toks); j++ {
		t := pp.toks[j]
		if t.kind != tTag {
			continue
		}
		if inRaw {
			if t.name == "endraw" {
				inRaw = false
			}
			continue
		}
		switch t.name {
		case "raw":
			inRaw = true
		case "comment":
			depth++
		case "endcomment":
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

func (pp *prepass) checkObject(t *token) {
	v, warn := parseVariable(t.markup)
	if warn != nil {
		pp.report(diag.Warning, t.line, "syntax error in %s: %v; read leniently, as Jekyll does", quoteSrc(t.src), warn)
	}
	pp.checkFilters(v, t)
}

func (pp *prepass) checkFilters(v *variable, t *token) {
	for _, f := range v.filters {
		if _, ok := pp.e.filters[f.name]; ok {
			continue
		}
		if f.name == "sassify" || f.name == "scssify" {
			pp.report(diag.Warning, t.line, "filter %q is not supported; the value passes through unchanged", f.name)
			continue
		}
		pp.report(diag.Warning, t.line, "unknown filter %q in %s; the value passes through unchanged, as in Jekyll", f.name, quoteSrc(t.src))
	}
}

// strip applies Liquid's rule that a control-flow block whose body holds
// only whitespace and "blank" tags (assign, capture, comment…) outputs no
// whitespace at all.
func (pp *prepass) strip() {
	// Blocks were appended when closed, so inner blocks come first.
	for _, b := range pp.blocks {
		b.blank = true
		for _, body := range b.bodies {
			for _, i := range body {
				if !pp.blankItem(i) {
					b.blank = false
				}
			}
		}
		if !b.blank || !pp.e.tags[b.name].strips {
			continue
		}
		for _, body := range b.bodies {
			for _, i := range body {
				if pp.toks[i].kind == tText && pp.toks[i].emit == emitNormal {
					pp.toks[i].emit = emitStripped
				}
			}
		}
	}
}

func (pp *prepass) blankItem(i int) bool {
	t := &pp.toks[i]
	switch t.kind {
	case tText:
		return strings.TrimSpace(t.text) == "" && t.emit != emitLiteral
	case tObject:
		return false
	}
	if t.block >= 0 {
		b := pp.blocks[t.block]
		return b.blank || b.name == "capture"
	}
	switch t.name {
	case "comment", "#":
		return true
	case "raw":
		return t.rawBody == ""
	}
	if info, ok := pp.e.tags[t.name]; ok {
		return info.blank
	}
	return false
}

// emit writes the canonical template. Every token keeps its newlines (text
// that whitespace control removed is replaced by a no-op tag holding them),
// so line numbers in osteele/liquid's errors still point at the source.
func (pp *prepass) emit() string {
	var b strings.Builder
	// The whole template sits in a __doc block so that a stop (limit,
	// stray break) keeps the output produced so far.
	b.WriteString("{%__doc %}")
	nop := func(n int) {
		if n > 0 {
			b.WriteString("{%__nop " + strings.Repeat("\n", n) + " %}")
		}
	}
	tag := func(name, args string, want int) {
		b.WriteString("{%")
		b.WriteString(name)
		b.WriteByte(' ')
		b.WriteString(args)
		if have := strings.Count(args, "\n"); have < want {
			b.WriteString(strings.Repeat("\n", want-have))
		}
		b.WriteString(" %}")
	}
	lit := func(s string, want int) {
		tag("__lit", base64.StdEncoding.EncodeToString([]byte(s)), want)
	}
	for i := range pp.toks {
		t := &pp.toks[i]
		nop(t.nlBefore)
		// Newlines this token still owns: text lost some to whitespace
		// control, and those are counted by the neighbour's nlBefore/After.
		own := strings.Count(t.src, "\n")
		if t.kind == tText && t.emit != emitLiteral {
			own = strings.Count(t.text, "\n")
		}
		switch {
		case t.emit == emitRawBody:
			// Written out by the raw tag.
		case t.emit == emitDrop, t.emit == emitStripped:
			nop(own)
		case t.emit == emitLiteral:
			lit(t.text, strings.Count(t.text, "\n"))
		case t.kind == tText:
			// Text never contains "{{" or "{%" (the tokenizer would have
			// split there), but a trailing "{" could join the next tag.
			if strings.HasSuffix(t.text, "{") {
				lit(t.text, own)
			} else {
				b.WriteString(t.text)
			}
		case t.kind == tObject:
			if strings.Contains(t.markup, "%}") {
				tag("__o64", base64.StdEncoding.EncodeToString([]byte(t.markup)), own)
			} else {
				tag("__o", t.markup, own)
			}
		case t.name == "raw":
			lit(t.rawBody, own+strings.Count(t.rawBody, "\n"))
		case t.name == "#":
			nop(own)
		case strings.HasPrefix(t.name, "end"):
			b.WriteString("{%" + t.name + strings.Repeat("\n", own) + " %}")
		default:
			// Tag markup cannot contain "%}" (the tokenizer ends the tag
			// there), and a trailing space keeps a final "-" from being
			// read as whitespace control.
			tag(t.name, t.markup, own)
		}
		nop(t.nlAfter)
	}
	b.WriteString("{%end__doc %}")
	return b.String()
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
