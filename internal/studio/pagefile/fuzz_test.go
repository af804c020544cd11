package pagefile_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"isomer.dev/isomer/internal/frontmatter"
	"isomer.dev/isomer/internal/studio/pagefile"
)

// FuzzUpdate edits random files. Update must never panic; whatever it
// returns must parse, hold exactly the change asked for and leave every other
// field and the body alone; and with nothing to change it must return its
// input byte for byte.
func FuzzUpdate(f *testing.F) {
	for _, b := range bases {
		f.Add([]byte(b.src), "f", "new value", uint8(0))
		f.Add([]byte(b.src), "f", "two\nlines\n\n", uint8(1))
		f.Add([]byte(b.src), "f", "", uint8(2))
	}
	for _, path := range pageFiles(&testing.T{}) {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data, "title", "2024-01-01", uint8(0))
			f.Add(data, "description", "", uint8(2))
			f.Add(data, "", "new body", uint8(3))
		}
	}
	for _, src := range []string{
		"---\na: |+\n  x\n\n  # c\nb: 1\n---\n",
		"---\na: # c\n  value\n    # deeper\nb: 1\n---\n",
		"---\n\"a\" : 'x' # c\n'b': \"y\"\n---\n",
		"---\na:\tx\t# c\nb: |2\n    x\n\n---\n",
		"---\n  a: >+\n    x\n\n  b: ~\n---\n",
		"---\na: &x 1\nb: *x\n<<: {c: 2}\n---\n",
	} {
		f.Add([]byte(src), "a", "  y: z\n", uint8(1))
		f.Add([]byte(src), "b", "", uint8(0))
		f.Add([]byte(src), "a", "", uint8(2))
	}
	f.Fuzz(func(t *testing.T, data []byte, key, value string, mode uint8) {
		before, perr := pagefile.Parse(data)
		if perr == nil {
			if out, err := pagefile.Update(data, nil, nil, nil); err != nil || !bytes.Equal(out, data) {
				t.Fatalf("Update with no changes: %v\n%q\n%q", err, data, out)
			}
			if out, err := pagefile.Update(data, before.Fields, nil, &before.Body); err != nil || !bytes.Equal(out, data) {
				t.Fatalf("Update with the parsed values: %v\n%q\n%q", err, data, out)
			}
		}
		var (
			set    []F
			remove []string
			body   *string
		)
		switch mode % 4 {
		case 0:
			set = []F{{Key: key, Value: value, Kind: pagefile.Scalar}}
		case 1:
			set = []F{{Key: key, Value: value, Kind: pagefile.Text}}
		case 2:
			remove = []string{key}
		case 3:
			body = &value
		}
		out, err := pagefile.Update(data, set, remove, body)
		if err != nil {
			// Refusing to set a value is only expected for a {…} front
			// matter or a bare "~"; anything else means locate misread
			// the file.
			if errors.Is(err, pagefile.ErrUnsafe) && perr == nil && mode%4 < 2 && !bytes.Contains(data, []byte("{")) && !strings.Contains(err.Error(), "bare null") {
				t.Fatalf("Update refused: %v\n%q\n%q %q", err, data, key, value)
			}
			return
		}
		if perr != nil {
			t.Fatalf("Update succeeded on a file Parse rejects (%v)", perr)
		}
		after, err := pagefile.Parse(out)
		if err != nil {
			t.Fatalf("result does not parse: %v\n%q\n%q", err, data, out)
		}
		wantBody := before.Body
		if body != nil {
			wantBody = *body
		}
		if after.Body != wantBody {
			t.Fatalf("body is %q, want %q", after.Body, wantBody)
		}
		want := make([]string, 0, len(before.Fields))
		for _, f := range before.Fields {
			if f.Key != key || mode%4 == 3 {
				want = append(want, fmt.Sprint(f.Key, f.Value, f.Kind))
			}
		}
		got := make([]string, 0, len(after.Fields))
		var setTo *F
		for i, f := range after.Fields {
			if f.Key != key || mode%4 == 3 {
				got = append(got, fmt.Sprint(f.Key, f.Value, f.Kind))
			} else {
				setTo = &after.Fields[i]
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("other fields changed:\n%q\n%q", data, out)
		}
		switch mode % 4 {
		case 0, 1:
			if setTo == nil || setTo.Value != value {
				t.Fatalf("field reads back as %+v, want %q\n%q\n%q", setTo, value, data, out)
			}
			if old := fieldOf(before, key); old != nil && old.Value == value {
				if !bytes.Equal(out, data) {
					t.Fatalf("setting the current value changed the file")
				}
				return
			}
			doc, err := frontmatter.Split(out)
			if err != nil {
				t.Fatal(err)
			}
			m, err := frontmatter.Decode(doc.YAML)
			if err != nil {
				t.Fatalf("frontmatter.Decode: %v", err)
			}
			if s, ok := m[key].(string); !ok || s != value {
				t.Fatalf("frontmatter.Decode reads %#v, want string %q\n%q", m[key], value, out)
			}
		case 2:
			if setTo != nil {
				t.Fatalf("removed field is still there")
			}
		case 3:
			if head := len(data) - len(before.Body); before.FrontMatter && !bytes.HasPrefix(out, data[:head]) {
				t.Fatalf("replacing the body changed the front matter")
			}
		}
	})
}
