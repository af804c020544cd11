// Package starter is the built-in starter site Studio creates new sites
// from: a minimal but complete classic Isomer repository, in the format the
// CMS writes (isomer-format.md §2), whose every page tells the editor what to
// replace.
//
// The tree holds _config.yml; _data/navigation.yml and _data/footer.yml (the
// v2 format keeps social media in footer.yml and contact details in the
// contact page's front matter, so there is no _data/social-media.yml or
// _data/contact-us.yml, which only the v1 theme read); a homepage with a
// hero, an infobar and a resources section; the contact page; an _about-us
// folder with one page at the top level and one in a "What We Do" group;
// the privacy statement and terms of use the footer links to; a
// news-and-events resource room with one category and one item; the search
// and 404 pages under misc/; small images; and the Gemfile, README.md and
// .gitignore real site repositories carry.
package starter

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	"isomer.dev/isomer/internal/frontmatter"
)

// all: keeps .gitignore, .keep and the _-prefixed files and folders, which
// embed leaves out by default.
//
//go:embed all:site
var embedded embed.FS

// The files Files writes the title into: the site title, and the homepage
// title the CMS keeps equal to it (isomer-format.md §6.5, settings side-effects).
const (
	configFile   = "_config.yml"
	homepageFile = "index.md"
)

// ErrTitle reports a site title that cannot be used.
var ErrTitle = errors.New("invalid site title")

// FS returns the starter site as it is embedded, with the placeholder title
// "Your Agency Name".
func FS() fs.FS {
	sub, err := fs.Sub(embedded, "site")
	if err != nil {
		panic(err) // the directory is embedded above; this cannot happen
	}
	return sub
}

// Files returns the starter site for a site named title: the title key of
// _config.yml and of the homepage's front matter is set to title, and every
// other byte is the starter's. Line breaks in title become spaces and
// surrounding space is trimmed, as the CMS does with every value. Files
// returns an error wrapping ErrTitle when nothing is left of the title, or
// when it contains "---", which the CMS's front matter parser would take for
// the end of the front matter.
func Files(title string) (fs.FS, error) {
	title = cleanTitle(title)
	switch {
	case title == "":
		return nil, fmt.Errorf("%w: it is empty", ErrTitle)
	case strings.Contains(title, "---"):
		return nil, fmt.Errorf("%w: %q contains ---", ErrTitle, title)
	}
	out := fstest.MapFS{}
	src := FS()
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		out[p] = &fstest.MapFile{Data: data, Mode: 0o644}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read starter: %w", err)
	}
	config, err := setKey(out[configFile].Data, "title", title)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", configFile, err)
	}
	out[configFile].Data = config
	home, err := setFrontMatterKey(out[homepageFile].Data, "title", title)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", homepageFile, err)
	}
	out[homepageFile].Data = home
	return out, nil
}

// cleanTitle applies the CMS's rule for front matter values: every line
// break becomes a space, then surrounding space is trimmed.
func cleanTitle(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\r', '\n', '\v', '\f', '\u0085', '\u2028', '\u2029':
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// setFrontMatterKey sets a top-level key in a file's front matter, leaving
// the delimiters and the body untouched.
func setFrontMatterKey(src []byte, key, value string) ([]byte, error) {
	doc, err := frontmatter.Split(src)
	if err != nil {
		return nil, err
	}
	// The front matter starts on the line after the opening delimiter.
	start := bytes.IndexByte(src, '\n') + 1
	if len(doc.YAML) == 0 || !bytes.Equal(src[start:start+len(doc.YAML)], doc.YAML) {
		return nil, fmt.Errorf("front matter has no %s", key)
	}
	yml, err := setKey(doc.YAML, key, value)
	if err != nil {
		return nil, err
	}
	out := append([]byte{}, src[:start]...)
	out = append(out, yml...)
	return append(out, src[start+len(doc.YAML):]...), nil
}

// setKey replaces the value of a top-level key of a YAML block mapping with
// value, correctly quoted. Only the lines of that entry change: the key's
// line and the indented continuation lines of a folded value. Comments,
// order and formatting of everything else are kept byte for byte, which a
// decode and re-encode of the whole document would not do.
func setKey(src []byte, key, value string) ([]byte, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, err
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode || root.Content[0].Style&yaml.FlowStyle != 0 {
		return nil, errors.New("not a block mapping")
	}
	m := root.Content[0]
	line := 0
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Value != key {
			continue
		}
		if v.Kind != yaml.ScalarNode || v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || k.Column != 1 {
			return nil, fmt.Errorf("%s is not a one-line or plain scalar entry", key)
		}
		line = k.Line
		break
	}
	if line == 0 {
		return nil, fmt.Errorf("no %s key", key)
	}
	entry, err := yaml.Marshal(map[string]string{key: value})
	if err != nil {
		return nil, err
	}
	lines := bytes.SplitAfter(src, []byte("\n"))
	first := line - 1
	end := first + 1
	// A folded plain or quoted scalar continues on indented lines.
	for end < len(lines) && len(lines[end]) > 0 && (lines[end][0] == ' ' || lines[end][0] == '\t') {
		end++
	}
	var out bytes.Buffer
	for _, l := range lines[:first] {
		out.Write(l)
	}
	out.Write(entry)
	for _, l := range lines[end:] {
		out.Write(l)
	}
	return out.Bytes(), nil
}
