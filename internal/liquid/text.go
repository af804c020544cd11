package liquid

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// URL handling follows Jekyll's relative_url/absolute_url, which join
// site.baseurl and the input and then normalise the result with
// Addressable::URI (percent-encoding what is not allowed, decoding what
// need not be encoded, removing dot segments).

var reScheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

func (e *Engine) relativeURL(in string) string {
	if reScheme.MatchString(in) {
		return in
	}
	base := strings.TrimSuffix(e.cfg.BaseURL, "/")
	return normalizeURL(leadingSlash(base) + leadingSlash(in))
}

func (e *Engine) absoluteURL(in string) string {
	if reScheme.MatchString(in) {
		return in
	}
	if e.cfg.SiteURL == "" {
		return e.relativeURL(in)
	}
	return normalizeURL(e.cfg.SiteURL + e.relativeURL(in))
}

func leadingSlash(s string) string {
	if s == "" || strings.HasPrefix(s, "/") {
		return s
	}
	return "/" + s
}

func isUnreserved(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

func isSubDelim(c byte) bool { return strings.IndexByte("!$&'()*+,;=", c) >= 0 }

func isPchar(c byte) bool { return isUnreserved(c) || isSubDelim(c) || c == ':' || c == '@' }

// normalizeComponent decodes percent-escapes and re-encodes every byte
// that allowed rejects, as Addressable's normalize_component does.
func normalizeComponent(s string, allowed func(byte) bool) string {
	var raw []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			raw = append(raw, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		raw = append(raw, s[i])
	}
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for _, c := range raw {
		if c < 0x80 && allowed(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}

// normalizeURL is Addressable::URI.parse(s).normalize.to_s for the URLs
// Jekyll builds: scheme and host lower-cased, default ports dropped, path
// segments, query and fragment percent-normalised, dot segments removed.
func normalizeURL(s string) string {
	var scheme, authority, path, query, fragment string
	hasQuery, hasFrag, hasAuth := false, false, false
	rest := s
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		fragment, rest, hasFrag = rest[i+1:], rest[:i], true
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		query, rest, hasQuery = rest[i+1:], rest[:i], true
	}
	if m := reScheme.FindString(rest); m != "" && !strings.ContainsAny(m[:len(m)-1], "/") {
		scheme, rest = strings.ToLower(m[:len(m)-1]), rest[len(m):]
	}
	if strings.HasPrefix(rest, "//") {
		rest = rest[2:]
		hasAuth = true
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			authority, path = rest[:i], rest[i:]
		} else {
			authority, path = rest, ""
		}
	} else {
		path = rest
	}
	var b strings.Builder
	if scheme != "" {
		b.WriteString(scheme + ":")
	}
	if hasAuth {
		host := strings.ToLower(authority)
		if scheme == "http" {
			host = strings.TrimSuffix(host, ":80")
		} else if scheme == "https" {
			host = strings.TrimSuffix(host, ":443")
		}
		b.WriteString("//" + host)
	}
	segs := strings.Split(strings.TrimFunc(path, unicode.IsSpace), "/")
	for i, seg := range segs {
		segs[i] = normalizeComponent(seg, isPchar)
	}
	p := removeDotSegments(strings.Join(segs, "/"))
	if p == "" && (scheme == "http" || scheme == "https") {
		p = "/"
	}
	b.WriteString(p)
	if hasQuery && query != "" {
		pairs := strings.Split(query, "&")
		for i, pair := range pairs {
			pairs[i] = normalizeComponent(pair, func(c byte) bool {
				return isUnreserved(c) || strings.IndexByte("!$'()*+,=:@/?", c) >= 0
			})
		}
		if q := strings.Join(pairs, "&"); q != "" {
			b.WriteString("?" + q)
		}
	}
	if hasFrag && fragment != "" {
		b.WriteString("#" + normalizeComponent(fragment, func(c byte) bool { return isPchar(c) || c == '/' || c == '?' }))
	}
	return b.String()
}

// removeDotSegments is RFC 3986 section 5.2.4.
func removeDotSegments(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	var out []string
	in := p
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "/..":
			in = "/"
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "." || in == "..":
			in = ""
		default:
			i := strings.IndexByte(in[1:], '/')
			if i < 0 {
				out = append(out, in)
				in = ""
			} else {
				out = append(out, in[:i+1])
				in = in[i+1:]
			}
		}
	}
	return strings.Join(out, "")
}

// ---- slugify ----

var (
	reSlugDefault = regexp.MustCompile(`[^\p{M}\p{L}\p{Nd}]+`)
	reSlugPretty  = regexp.MustCompile(`[^\p{M}\p{L}\p{Nd}._~!$&'()+,;=@]+`)
	reSlugASCII   = regexp.MustCompile(`[^A-Za-z0-9]+`)
	reSlugRaw     = regexp.MustCompile(`[ \t\r\n\f\v]+`)
	reSlugEdges   = regexp.MustCompile(`(?m)^-|-$`)
)

// slugify is Jekyll's Utils.slugify (not cased).
func slugify(s, mode string) string {
	var re *regexp.Regexp
	switch mode {
	case "raw":
		re = reSlugRaw
	case "", "default":
		re = reSlugDefault
	case "pretty":
		re = reSlugPretty
	case "ascii":
		re = reSlugASCII
	case "latin":
		s = transliterate(s)
		re = reSlugDefault
	default:
		return strings.ToLower(s)
	}
	slug := re.ReplaceAllString(s, "-")
	slug = reSlugEdges.ReplaceAllString(slug, "")
	return strings.ToLower(slug)
}

// transliterate approximates I18n.transliterate with its default English
// rules: Latin letters lose their accents, anything else becomes "?".
func transliterate(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		default:
			if t, ok := latinMap[r]; ok {
				b.WriteString(t)
			} else {
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}

var latinMap = func() map[rune]string {
	m := map[rune]string{}
	groups := map[string]string{
		"A": "ÀÁÂÃÄÅĀĂĄ", "a": "àáâãäåāăą", "C": "ÇĆĈĊČ", "c": "çćĉċč", "D": "ĎĐÐ", "d": "ďđð",
		"E": "ÈÉÊËĒĔĖĘĚ", "e": "èéêëēĕėęě", "G": "ĜĞĠĢ", "g": "ĝğġģ", "H": "ĤĦ", "h": "ĥħ",
		"I": "ÌÍÎÏĨĪĬĮİ", "i": "ìíîïĩīĭįı", "J": "Ĵ", "j": "ĵ", "K": "Ķ", "k": "ķĸ", "L": "ĹĻĽĿŁ",
		"l": "ĺļľŀł", "N": "ÑŃŅŇŊ", "n": "ñńņňŉŋ", "O": "ÒÓÔÕÖØŌŎŐ", "o": "òóôõöøōŏő",
		"R": "ŔŖŘ", "r": "ŕŗř", "S": "ŚŜŞŠ", "s": "śŝşš", "T": "ŢŤŦ", "t": "ţťŧ",
		"U": "ÙÚÛÜŨŪŬŮŰŲ", "u": "ùúûüũūŭůűų", "W": "Ŵ", "w": "ŵ", "Y": "ÝŶŸ", "y": "ýÿŷ",
		"Z": "ŹŻŽ", "z": "źżž",
	}
	for to, from := range groups {
		for _, r := range from {
			m[r] = to
		}
	}
	for r, t := range map[rune]string{'Æ': "AE", 'æ': "ae", 'Œ': "OE", 'œ': "oe", 'ß': "ss", 'Þ': "Th", 'þ': "th"} {
		m[r] = t
	}
	return m
}()

// ---- smartify ----

// smartify approximates Jekyll's SmartyPants conversion (kramdown): quotes
// become curly, "---" an em dash, "--" an en dash, "..." an ellipsis,
// "<<"/">>" guillemets; HTML tags and entities pass through and other
// "&", "<", ">" are escaped.
func smartify(s string) string {
	var b strings.Builder
	prev := rune(0) // previous character of the text, 0 at the start
	for i := 0; i < len(s); {
		rest := s[i:]
		switch {
		case rest[0] == '<' && isTagStart(rest):
			end := strings.IndexByte(rest, '>')
			b.WriteString(rest[:end+1])
			i += end + 1
			prev = '>'
			continue
		case rest[0] == '&':
			if m := reEntityPrefix.FindString(rest); m != "" {
				b.WriteString(m)
				i += len(m)
				prev = ';'
				continue
			}
			b.WriteString("&amp;")
		case strings.HasPrefix(rest, "---"):
			b.WriteString("—")
			i += 3
			prev = '-'
			continue
		case strings.HasPrefix(rest, "--"):
			b.WriteString("–")
			i += 2
			prev = '-'
			continue
		case strings.HasPrefix(rest, "..."):
			b.WriteString("…")
			i += 3
			prev = '.'
			continue
		case strings.HasPrefix(rest, "<< "):
			b.WriteString("«\u00a0")
			i += 3
			prev = ' '
			continue
		case strings.HasPrefix(rest, " >>"):
			b.WriteString("\u00a0»")
			i += 3
			prev = '>'
			continue
		case strings.HasPrefix(rest, "<<"):
			b.WriteString("«")
			i += 2
			prev = '<'
			continue
		case strings.HasPrefix(rest, ">>"):
			b.WriteString("»")
			i += 2
			prev = '>'
			continue
		case rest[0] == '<':
			b.WriteString("&lt;")
		case rest[0] == '>':
			b.WriteString("&gt;")
		case rest[0] == '"' || rest[0] == '\'':
			b.WriteString(smartQuote(rest[0], prev, rest[1:]))
		default:
			r, n := utf8.DecodeRuneInString(rest)
			b.WriteString(rest[:n])
			i += n
			prev = r
			continue
		}
		prev = rune(rest[0])
		i++
	}
	return b.String()
}

func isTagStart(s string) bool {
	return len(s) > 1 && (isAlpha(s[1]) || s[1] == '/' || s[1] == '!') && strings.IndexByte(s, '>') > 0
}

// smartQuote picks an opening or closing quote from its neighbours,
// following kramdown's rules in simplified form.
func smartQuote(q byte, prev rune, next string) string {
	open, close := "“", "”"
	if q == '\'' {
		open, close = "‘", "’"
	}
	nr, _ := utf8.DecodeRuneInString(next)
	switch {
	case q == '\'' && len(next) >= 3 && isDigit(next[0]) && isDigit(next[1]) && next[2] == 's':
		return close // decade abbreviation: '80s
	case prev == 0 || unicode.IsSpace(prev) || strings.ContainsRune("([{-", prev):
		if next == "" || unicode.IsSpace(nr) {
			return close
		}
		return open
	}
	return close
}
