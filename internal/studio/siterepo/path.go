package siterepo

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits keep names portable to the filesystems sites are checked out on.
const (
	maxPathLen = 4096
	maxNameLen = 255
)

// ValidatePath checks a site-relative path taken from a request. It accepts
// the names real Isomer sites use (spaces, trailing spaces in folder names,
// punctuation, unicode; §11.2 of isomer-format.md) and refuses anything that
// could address a file outside the site's tree or inside git's own metadata.
func ValidatePath(p string) error {
	bad := func(why string) error { return fmt.Errorf("%w: %q: %s", ErrInvalidPath, p, why) }
	switch {
	case p == "":
		return bad("empty")
	case len(p) > maxPathLen:
		return bad("too long")
	case !utf8.ValidString(p):
		return bad("not valid UTF-8")
	case strings.HasPrefix(p, "/"):
		return bad("absolute")
	case strings.HasSuffix(p, "/"):
		return bad("trailing slash")
	}
	for _, r := range p {
		switch {
		case r == 0:
			return bad("NUL byte")
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return bad("control character")
		case r == '\\':
			return bad("backslash")
		case r == 0xfeff || (r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2060 && r <= 0x206f):
			// Invisible characters let ".git" be spelled in ways some
			// filesystems (HFS+) fold back to ".git"; git fsck rejects them.
			return bad("invisible character")
		}
	}
	for _, name := range strings.Split(p, "/") {
		switch {
		case name == "":
			return bad("empty path element")
		case name == "." || name == "..":
			return bad("relative path element")
		case len(name) > maxNameLen:
			return bad("path element too long")
		case isGitName(name) || isGitmodules(name):
			return bad("git metadata")
		}
	}
	return nil
}

// isGitName matches ".git" as the filesystems of editors' machines may see it
// (case-insensitive; NTFS ignores trailing dots and spaces; "git~1" is its
// 8.3 short name).
func isGitName(name string) bool {
	n := strings.ToLower(strings.TrimRight(name, ". "))
	return n == ".git" || n == "git~1"
}

// isGitmodules matches .gitmodules, which git itself reads when the site is
// cloned (and git fsck --strict checks), in the same spellings.
func isGitmodules(name string) bool {
	n := strings.ToLower(strings.TrimRight(name, ". "))
	return n == ".gitmodules" || n == "gitmod~1"
}

// ValidateTitle applies the CMS page-title rules of §11.1 (the page's file
// name is "<title>.md"). Only new pages are held to it: legacy sites contain
// names that break it and must remain editable.
func ValidateTitle(title string) error {
	t := strings.TrimSpace(title)
	n := utf8.RuneCountInString(t)
	if n < 4 || n > 100 {
		return fmt.Errorf("%w: title %q must be 4 to 100 characters", ErrInvalidPath, title)
	}
	if strings.ContainsAny(t, "~%^*_+-./\\`;{}[]\"<>") {
		return fmt.Errorf("%w: title %q contains a forbidden character (~ %% ^ * _ + - . / \\ ` ; { } [ ] \" < >)", ErrInvalidPath, title)
	}
	if strings.ContainsAny(t[:1], ".#_~") {
		return fmt.Errorf("%w: title %q must not start with . _ # ~", ErrInvalidPath, title)
	}
	if strings.ContainsFunc(t, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("%w: title %q contains a control character", ErrInvalidPath, title)
	}
	return nil
}
