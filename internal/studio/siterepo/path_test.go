package siterepo

import (
	"errors"
	"testing"
)

func TestValidatePath(t *testing.T) {
	tests := []struct {
		path string
		ok   bool
	}{
		{"pages/contact-us.md", true},
		{"index.md", true},
		{"_developer/Product FAQ/What is the DID approach in Product?.md", true},
		{"images/Graphics /x.png", true}, // folder with a trailing space (§11.2)
		{"news/_posts/2020-01-01-post-Past: A | B’é.md", true},
		{".gitignore", true},
		{"_about/Sub/.keep", true},
		{"a..b/c", true},
		{"", false},
		{"/etc/passwd", false},
		{"../outside.md", false},
		{"pages/../../outside.md", false},
		{"pages/..", false},
		{"./index.md", false},
		{"pages/./x.md", false},
		{"pages//x.md", false},
		{"pages/", false},
		{".git/config", false},
		{".git", false},
		{"sub/.git/HEAD", false},
		{".GIT/config", false},
		{".git./config", false},
		{".git /config", false},
		{"git~1/config", false},
		{".g\u200cit/config", false},
		{"pages/a\x00b.md", false},
		{"pages/a\nb.md", false},
		{"pages/a\tb.md", false},
		{"pages/a\x7fb.md", false},
		{`pages\x.md`, false},
		{`..\x.md`, false},
		{"pages/\xff.md", false},
		{".gitmodules", false},
		{"sub/.GitModules", false},
		{".gitmodules.", false},
		{".gitattributes", true},
		{"pages/gitmodules.md", true},
		{".git\u200e/config", false},
	}
	for _, tt := range tests {
		err := ValidatePath(tt.path)
		if tt.ok && err != nil {
			t.Errorf("ValidatePath(%q) = %v, want nil", tt.path, err)
		}
		if !tt.ok && !errors.Is(err, ErrInvalidPath) {
			t.Errorf("ValidatePath(%q) = %v, want ErrInvalidPath", tt.path, err)
		}
	}
}

func TestValidateTitle(t *testing.T) {
	tests := []struct {
		title string
		ok    bool
	}{
		{"Contact Us", true},
		{"What is the DID approach in Product?", true},
		{"A & B (2024): Q&A, 'x' | y @ $ =", true},
		{"Abc", false},
		{"my-page", false},
		{"file.name", false},
		{"a/b/c/d", false},
		{"#hashtag", false},
		{"~tilde page", false},
		{"under_score", false},
		{"brace {x}", false},
	}
	for _, tt := range tests {
		err := ValidateTitle(tt.title)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateTitle(%q) = %v, want ok=%v", tt.title, err, tt.ok)
		}
	}
}
