package pagefile_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"isomer.dev/isomer/internal/studio/pagefile"
)

// entryShapes are the ways one entry can be written; %s is the key.
var entryShapes = []string{
	"%s: plain value\n", "%s: plain # comment\n", "%s:\n", "%s: # nothing\n", "%s: ~\n",
	"%s: \"double\"\n", "%s: 'single' # c\n", "%s: 2024-01-01\n", "%s: true\n",
	"%s: folded plain\n  over two lines\n", "%s:\n  on the next line\n", "%s: \"quoted\n  over lines\"\n",
	"%s: |\n  literal\n  text\n", "%s: |-\n    deep\n", "%s: |+\n  kept\n\n", "%s: >\n  folded\n  block\n\n",
	"%s: | # header comment\n  x\n", "%s: |2\n    leading space\n", "%s:\n  - a\n  - b\n", "%s: [a, b]\n",
	"%s:\n  nested: map\n", "%s: &anchor x\n",
}

// fillers sit between entries.
var fillers = []string{"", "", "", "\n", "# comment\n", "  # indented comment\n", "   \n", "\n\n"}

func TestRandomEdits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 3000 {
		var b strings.Builder
		nl := "\n"
		if r.IntN(4) == 0 {
			nl = "\r\n"
		}
		b.WriteString("---\n")
		keys := []string{}
		for i := range r.IntN(5) {
			k := fmt.Sprintf("k%d", i)
			keys = append(keys, k)
			fmt.Fprintf(&b, entryShapes[r.IntN(len(entryShapes))], k)
			b.WriteString(fillers[r.IntN(len(fillers))])
		}
		b.WriteString("---\nbody\n")
		src := strings.ReplaceAll(b.String(), "\n", nl)

		key := fmt.Sprintf("k%d", r.IntN(len(keys)+1))
		value := trickyValues[r.IntN(len(trickyValues))]
		kind := []pagefile.Kind{pagefile.Scalar, pagefile.Text}[r.IntN(2)]
		var remove []string
		set := []F{{Key: key, Value: value, Kind: kind}}
		if r.IntN(4) == 0 {
			set, remove = nil, []string{key}
		}
		name := fmt.Sprintf("#%d set %v remove %v in %q", n, set, remove, src)
		out, err := pagefile.Update([]byte(src), set, remove, nil)
		if errors.Is(err, pagefile.ErrComplex) || errors.Is(err, pagefile.ErrUnsafe) && strings.Contains(src, "&anchor") {
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if set != nil {
			checkSet(t, name, []byte(src), key, value, kind)
			continue
		}
		p, err := pagefile.Parse(out)
		if err != nil || fieldOf(p, key) != nil {
			t.Errorf("%s: removing gave %q (%v)", name, out, err)
		}
	}
}
