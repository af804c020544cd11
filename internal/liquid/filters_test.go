package liquid

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	yaml "gopkg.in/yaml.v2"
)

// unitEngine is a small engine for table tests: Singapore time, a fixed
// clock and a trivial Markdown stand-in.
func unitEngine(includes ...fs.FS) *Engine {
	return New(Config{
		Includes:    includes,
		SiteURL:     "https://www.example.gov.sg",
		BaseURL:     "/base",
		Location:    time.FixedZone("+08", 8*3600),
		Now:         func() time.Time { return time.Date(2025, 11, 11, 9, 30, 0, 0, time.UTC) },
		Markdownify: func(b []byte) ([]byte, error) { return []byte("<p>" + strings.TrimSpace(string(b)) + "</p>\n"), nil },
	})
}

func unitVars() map[string]any {
	return map[string]any{
		"page": yaml.MapSlice{
			{Key: "title", Value: "About Us"},
			{Key: "date", Value: "2025-11-03"},
			{Key: "tags", Value: []any{"news", "policy"}},
		},
		"people": []any{
			yaml.MapSlice{{Key: "name", Value: "Tan"}, {Key: "dept", Value: "ops"}, {Key: "age", Value: "41"}, {Key: "boss", Value: yaml.MapSlice{{Key: "name", Value: "Lim"}}}},
			yaml.MapSlice{{Key: "name", Value: "Ali"}, {Key: "dept", Value: "hr"}, {Key: "age", Value: "29"}},
			yaml.MapSlice{{Key: "name", Value: "Bo"}, {Key: "dept", Value: "ops"}, {Key: "age", Value: nil}},
		},
		"nums":  []any{3, 1, 2},
		"words": []any{"pear", "Apple", "banana"},
		"hash":  yaml.MapSlice{{Key: "b", Value: 2}, {Key: "a", Value: 1}},
		"gomap": map[string]any{"z": 1, "y": 2},
		"t":     time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

type renderCase struct {
	name, src, want string
}

func runCases(t *testing.T, e *Engine, cases []renderCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, diags := e.Render([]byte(c.src), "t.md", 1, unitVars())
			if diff := cmp.Diff(c.want, string(got)); diff != "" {
				t.Errorf("%s\n(-want +got):\n%s", c.src, diff)
			}
			for _, d := range diags {
				t.Errorf("unexpected diagnostic: %s", d)
			}
		})
	}
}

var filterCases = []renderCase{
	// Liquid standard filters.
	{"append", `{{ "a" | append: 1 }}`, "a1"},
	{"prepend", `{{ "a" | prepend: "/" }}`, "/a"},
	{"downcase", `{{ "ÀB" | downcase }}`, "àb"},
	{"upcase", `{{ "ab" | upcase }}`, "AB"},
	{"capitalize", `{{ "hELLO world" | capitalize }}`, "Hello world"},
	{"escape", `{% capture s %}<a href='x'>&"{% endcapture %}{{ s | escape }}`, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"},
	{"h", `{{ "<b>" | h }}`, "&lt;b&gt;"},
	{"escape_once", `{{ "&amp; & &lt; <" | escape_once }}`, "&amp; &amp; &lt; &lt;"},
	{"url_encode", `{{ "a b&c/d" | url_encode }}`, "a+b%26c%2Fd"},
	{"url_decode", `{{ "a+b%26c%zz" | url_decode }}`, "a b&c%zz"},
	{"base64_encode", `{{ "hi?" | base64_encode }}`, "aGk/"},
	{"base64_decode", `{{ "aGk/" | base64_decode }}`, "hi?"},
	{"base64_url_safe_encode", `{{ "hi?" | base64_url_safe_encode }}`, "aGk_"},
	{"base64_url_safe_decode", `{{ "aGk_" | base64_url_safe_decode }}`, "hi?"},
	{"slice", `{{ "hello" | slice: 1, 3 }} {{ "hello" | slice: -2 }} {{ nums | slice: 1, 5 | join: "" }}`, "ell l 12"},
	{"truncate", `{{ "abcdefghij" | truncate: 5 }} {{ "abc" | truncate: 5 }} {{ "abcdefgh" | truncate: 5, "!" }}`, "ab... abc abcd!"},
	{"truncatewords", `{{ "a b c d" | truncatewords: 2 }} {{ "a b" | truncatewords: 0 }}`, "a b... a..."},
	{"split", `{{ "a,b,,c,," | split: "," | join: "|" }} {{ " a  b " | split: " " | size }}`, "a|b||c 2"},
	{"strip", "[{{ \" \t x \n\" | strip }}]", "[x]"},
	{"lstrip", `[{{ "  x " | lstrip }}]`, "[x ]"},
	{"rstrip", `[{{ "  x " | rstrip }}]`, "[  x]"},
	{"strip_html", `{{ "<p>a<script>b</script><!-- c -->d</p>" | strip_html }}`, "ad"},
	{"strip_newlines", "{{ \"a\r\nb\nc\" | strip_newlines }}", "abc"},
	{"newline_to_br", "{{ \"a\nb\" | newline_to_br }}", "a<br />\nb"},
	{"replace", `{{ "aXbX" | replace: "X", "-" }}`, "a-b-"},
	{"replace_first", `{{ "aXbX" | replace_first: "X", "-" }}`, "a-bX"},
	{"replace_last", `{{ "aXbX" | replace_last: "X", "-" }}`, "aXb-"},
	{"remove", `{{ "aXbX" | remove: "X" }}`, "ab"},
	{"remove_first", `{{ "aXbX" | remove_first: "X" }}`, "abX"},
	{"remove_last", `{{ "aXbX" | remove_last: "X" }}`, "aXb"},
	{"size", `{{ "héllo" | size }} {{ nums | size }} {{ hash | size }} {{ 7 | size }}`, "5 3 2 8"},
	{"default", `{{ nil | default: "d" }} {{ "" | default: "d" }} {{ false | default: "d", allow_false: true }}`, "d d false"},
	{"date", `{{ "2025-11-03 14:05" | date: "%a %-d %b %Y, %-I:%M%P %z" }} {{ t | date: "%Y-%m-%dT%H:%M:%S%:z" }}`, "Mon 3 Nov 2025, 2:05pm +0800 2025-01-02T03:04:05+00:00"},
	{"join", `{{ nums | join }} {{ nums | join: ", " }}`, "3 1 2 3, 1, 2"},
	{"first", `{{ nums | first }} {{ hash | first | join: "=" }}`, "3 b=2"},
	{"last", `{{ nums | last }}`, "2"},
	{"reverse", `{{ nums | reverse | join: "" }}`, "213"},
	{"map", `{{ people | map: "name" | join: "," }}`, "Tan,Ali,Bo"},
	{"uniq", `{{ people | map: "dept" | uniq | join: "," }} {{ people | uniq: "dept" | size }}`, "ops,hr 2"},
	{"compact", `{{ people | map: "age" | compact | join: "," }}`, "41,29"},
	{"concat", `{{ nums | concat: words | size }}`, "6"},
	{"sort_natural", `{{ words | sort_natural | join: "," }}`, "Apple,banana,pear"},
	{"plus", `{{ 1 | plus: 2 }} {{ "1.5" | plus: 1 }} {{ 0.1 | plus: 0.2 }}`, "3 2.5 0.3"},
	{"minus", `{{ 5 | minus: 7 }} {{ 5.5 | minus: 0.5 }}`, "-2 5.0"},
	{"times", `{{ 3 | times: 4 }} {{ 1.1 | times: 3 }}`, "12 3.3"},
	{"divided_by", `{{ 7 | divided_by: 2 }} {{ -7 | divided_by: 2 }} {{ 7 | divided_by: 2.0 }}`, "3 -4 3.5"},
	{"modulo", `{{ 7 | modulo: 3 }} {{ -7 | modulo: 3 }} {{ 7.5 | modulo: 2 }}`, "1 2 1.5"},
	{"abs", `{{ -3 | abs }} {{ "-2.5" | abs }}`, "3 2.5"},
	{"ceil", `{{ 1.2 | ceil }} {{ -1.2 | ceil }}`, "2 -1"},
	{"floor", `{{ 1.8 | floor }} {{ -1.2 | floor }}`, "1 -2"},
	{"round", `{{ 2.5 | round }} {{ 2.675 | round: 2 }} {{ 1234 | round: -2 }}`, "3 2.68 1200"},
	{"at_least", `{{ 1 | at_least: 3 }}`, "3"},
	{"at_most", `{{ 5 | at_most: 3 }}`, "3"},

	// Jekyll filters.
	{"relative_url", `{{ "/a b/" | relative_url }} {{ "x" | relative_url }} {{ "mailto:a@b" | relative_url }}`, "/base/a%20b/ /base/x mailto:a@b"},
	{"absolute_url", `{{ "/p/?q=a b#f" | absolute_url }}`, "https://www.example.gov.sg/base/p/?q=a%20b#f"},
	{"strip_index", `{{ "/a/index.html" | strip_index }} {{ "/a/b.html" | strip_index }}`, "/a/ /a/b.html"},
	{"markdownify", `{{ "*hi*" | markdownify }}`, "<p>*hi*</p>\n"},
	{"smartify", `{{ "'a' -- b..." | smartify }}`, "‘a’ – b…"},
	{"slugify", `{{ "A B_c.D" | slugify }} {{ "A B_c.D" | slugify: "pretty" }} {{ "Ça va" | slugify: "latin" }} {{ "Ça va" | slugify: "ascii" }}`, "a-b-c-d a-b_c.d ca-va a-va"},
	{"xml_escape", `{{ "<a & 'b'>" | xml_escape }}`, "&lt;a &amp; &apos;b&apos;&gt;"},
	{"cgi_escape", `{{ "a b+c" | cgi_escape }}`, "a+b%2Bc"},
	{"uri_escape", `{{ "a b/é%20" | uri_escape }}`, "a%20b/%C3%A9%20"},
	{"normalize_whitespace", "[{{ \" a \n\t b \" | normalize_whitespace }}]", "[a b]"},
	{"number_of_words", `{{ "one two  three" | number_of_words }} {{ "日本 go" | number_of_words: "cjk" }} {{ "abc" | number_of_words: "auto" }}`, "3 3 1"},
	{"array_to_sentence_string", `{{ words | array_to_sentence_string }} {{ words | array_to_sentence_string: "or" }}`, "pear, Apple, and banana pear, Apple, or banana"},
	{"jsonify", `{{ hash | jsonify }} {{ gomap | jsonify }} {{ 1.0 | jsonify }} {{ "<é>" | jsonify }}`, `{"b":2,"a":1} {"y":2,"z":1} 1.0 "<é>"`},
	{"inspect", `{{ hash | inspect }} {{ nil | inspect }}`, "{&quot;b&quot;=&gt;2, &quot;a&quot;=&gt;1} nil"},
	{"to_integer", `{{ "12" | to_integer }} {{ 3.7 | to_integer }} {{ false | to_integer }}`, "12 3 0"},
	{"where", `{{ people | where: "dept", "ops" | map: "name" | join: "," }} {{ people | where: "age", 41 | size }} {{ people | where: "boss.name", "Lim" | size }}`, "Tan,Bo 1 1"},
	{"find", `{{ people | find: "name", "Ali" | map: "dept" }} [{{ people | find: "name", "Zed" }}]`, "hr []"},
	{"where_exp", `{{ people | where_exp: "p", "p.dept == 'ops' and p.age" | map: "name" | join: "," }}`, "Tan"},
	{"find_exp", `{{ nums | find_exp: "n", "n < 3" }}`, "1"},
	{"group_by", `{{ people | group_by: "dept" | map: "name" | join: "," }} {{ people | group_by: "dept" | first | map: "size" }}`, "ops,hr 2"},
	{"group_by_exp", `{{ nums | group_by_exp: "n", "n | modulo: 2" | map: "name" | join: "," }}`, "1,0"},
	{"sort", `{{ nums | sort | join: "" }} {{ people | sort: "age" | map: "name" | join: "," }} {{ people | sort: "age", "last" | map: "name" | join: "," }}`, "123 Bo,Ali,Tan Ali,Tan,Bo"},
	{"push", `{{ nums | push: 9 | join: "" }}`, "3129"},
	{"pop", `{{ nums | pop | join: "" }} {{ nums | pop: 2 | join: "" }}`, "31 3"},
	{"shift", `{{ nums | shift | join: "" }}`, "12"},
	{"unshift", `{{ nums | unshift: 0 | join: "" }}`, "0312"},
	{"sample", `{{ nums | sample | size }} {{ nums | sample: 2 | size }}`, "8 2"},
	{"date_to_string", `{{ page.date | date_to_string }} {{ page.date | date_to_string: "ordinal" }} {{ page.date | date_to_string: "ordinal", "US" }}`, "03 Nov 2025 3rd Nov 2025 Nov 3rd, 2025"},
	{"date_to_long_string", `{{ "2025-11-22" | date_to_long_string }} {{ "2025-11-22" | date_to_long_string: "ordinal", "US" }}`, "22 November 2025 November 22nd, 2025"},
	{"date_to_xmlschema", `{{ "2025-11-03 10:00 +0000" | date_to_xmlschema }}`, "2025-11-03T18:00:00+08:00"},
	{"date_to_rfc822", `{{ t | date_to_rfc822 }}`, "Thu, 02 Jan 2025 11:04:05 +0800"},
}

func TestFilters(t *testing.T) {
	e := unitEngine()
	runCases(t, e, filterCases)
	// Every registered filter has a case named after it.
	names := map[string]bool{}
	for _, c := range filterCases {
		names[c.name] = true
	}
	for name := range e.filters {
		if !names[name] {
			t.Errorf("filter %q has no table test", name)
		}
	}
}

var tagCases = []renderCase{
	{"assign", `{% assign x = "a" | upcase %}{{ x }}`, "A"},
	{"capture", `{% capture x %}[{{ page.title }}]{% endcapture %}{{ x }}`, "[About Us]"},
	{"if", `{% if page.title == "About Us" %}y{% elsif false %}n{% else %}n{% endif %}`, "y"},
	{"unless", `{% unless page.nope %}y{% endunless %}`, "y"},
	{"elsif-else", `{% if false %}a{% elsif nums contains 2 %}b{% else %}c{% endif %}`, "b"},
	{"case", `{% case 2 %}{% when 1 %}a{% when 2, 3 %}b{% else %}c{% endcase %}`, "b"},
	{"for", `{% for n in nums reversed limit: 2 %}{{ n }}{% else %}none{% endfor %}`, "13"},
	{"for-hash", `{% for kv in hash %}{{ kv[0] }}{{ kv[1] }}{% endfor %}`, "b2a1"},
	{"for-gomap-sorted", `{% for kv in gomap %}{{ kv[0] }}{% endfor %}`, "yz"},
	{"break-continue", `{% for n in (1..5) %}{% if n == 2 %}{% continue %}{% endif %}{% if n == 4 %}{% break %}{% endif %}{{ n }}{% endfor %}`, "13"},
	{"cycle", `{% for n in nums %}{% cycle "g": "a", "b" %}{% endfor %}{% cycle "g": "a", "b" %}`, "abab"},
	{"tablerow", `{% tablerow n in nums cols: 2 %}{{ n }}{% endtablerow %}`, "<tr class=\"row1\">\n<td class=\"col1\">3</td><td class=\"col2\">1</td></tr>\n<tr class=\"row2\"><td class=\"col1\">2</td></tr>\n"},
	{"increment-decrement", `{% increment c %}{% increment c %}{% decrement d %}`, "01-1"},
	{"ifchanged", `{% for n in (1..4) %}{% ifchanged %}{{ n | divided_by: 2 }}{% endifchanged %}{% endfor %}`, "012"},
	{"echo", `{% echo page.title | downcase %}`, "about us"},
	{"raw", `{% raw %}{{ x }}{% if %}{% endraw %}`, "{{ x }}{% if %}"},
	{"comment", `a{% comment %}{{ b }}{% endcomment %}c`, "ac"},
	{"inline-comment", `a{% # note %}c`, "ac"},
	{"whitespace-control", "a  {%- if true -%}  b  {%- endif -%}  c\n{{- \" d \" -}}\n", "abc d "},
	{"blank-block", "x\n{% if true %}\n  {% assign q = 1 %}\n{% endif %}\ny", "x\n\ny"},
	{"include", `{% include inc.html name="Tan" n=nums %}`, "Hi Tan (3)"},
	{"include-variable-name", `{% assign f = "inc.html" %}{% include {{ f }} name=page.title %}`, "Hi About Us (0)"},
	{"include-assign-visible", `{% include set.html %}{{ set_inside }}`, "yes"},
	{"include-nested-params", `{% include outer.html v="1" %}`, "<o>1<i>2</i>1</o>"},
	{"accordion", `{% accordion Why **bold**? %}Because {{ page.title }}.{% endaccordion %}`, `<div class="accordion"><div class="col is-large bp-accordion-header padding has-icons-right field has-addons is-marginless pointer"><div class="col is-expanded is-fullwidth is-paddingless"><h5 class="has-text-grey-dark is-marginless"><b>Why **bold**?</b></h5></div><span class="sgds-icon sgds-icon-plus is-size-4 bp-accordion-button"></span></div><div class="col padding bp-accordion-body"><p>Because About Us.</p>
</div></div>`},
	{"highlight", "{% highlight ruby %}\nputs '<x>'\n{% endhighlight %}", `<figure class="highlight"><pre><code class="language-ruby" data-lang="ruby">puts &#39;&lt;x&gt;&#39;</code></pre></figure>`},
}

func tagFS() fs.FS {
	return fstest.MapFS{
		"inc.html":   {Data: []byte(`Hi {{ include.name }} ({{ include.n | size }})`)},
		"set.html":   {Data: []byte(`{% assign set_inside = "yes" %}`)},
		"outer.html": {Data: []byte(`<o>{{ include.v }}{% include inner.html v="2" %}{{ include.v }}</o>`)},
		"inner.html": {Data: []byte(`<i>{{ include.v }}</i>`)},
	}
}

func TestTags(t *testing.T) {
	e := unitEngine(tagFS())
	runCases(t, e, tagCases)
}

func TestIncludeRelativeAndHooks(t *testing.T) {
	site := fstest.MapFS{"pages/part.md": {Data: []byte("part of {{ page.title }}")}}
	e := New(Config{
		Site:    site,
		PostURL: func(name string) (string, error) { return "/news/" + name + "/", nil },
		Link:    func(p string) (string, error) { return "/" + strings.TrimSuffix(p, ".md") + "/", nil },
	})
	got, diags := e.Render([]byte(`{% include_relative part.md %}|{% post_url 2025-01-01-hello %}|{% link pages/about.md %}`), "pages/index.md", 1, unitVars())
	if diff := cmp.Diff("part of About Us|/news/2025-01-01-hello/|/pages/about/", string(got)); diff != "" || len(diags) > 0 {
		t.Errorf("(-want +got):\n%s\n%v", diff, diags)
	}
}

func TestTagTableCovered(t *testing.T) {
	e := unitEngine()
	var all strings.Builder
	for _, c := range tagCases {
		all.WriteString(c.src)
	}
	all.WriteString("{% include_relative %}{% post_url %}{% link %}{% else %}{% when %}{% elsif %}")
	re := regexp.MustCompile(`\{%-?\s*(#|\w+)`)
	seen := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(all.String(), -1) {
		seen[m[1]] = true
	}
	for name := range e.tags {
		if !seen[name] {
			t.Errorf("tag %q has no table test", name)
		}
	}
}

// TestFastPath: a body without Liquid comes back as the same slice.
func TestFastPath(t *testing.T) {
	src := []byte("<p>No Liquid here { not really } and 100% plain</p>")
	got, diags := unitEngine().Render(src, "a.md", 3, nil)
	if &got[0] != &src[0] || len(diags) != 0 {
		t.Errorf("fast path not taken: %q %v", got, diags)
	}
}

func TestDecodeYAML(t *testing.T) {
	v, err := DecodeYAML([]byte("b: 1\na: [x, 2.5, true, null, 2025-11-11]\nbase: &b {k: v}\nm:\n  <<: *b\n  j: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := yaml.MapSlice{
		{Key: "b", Value: 1},
		{Key: "a", Value: []any{"x", 2.5, true, nil, "2025-11-11"}},
		{Key: "base", Value: yaml.MapSlice{{Key: "k", Value: "v"}}},
		{Key: "m", Value: yaml.MapSlice{{Key: "k", Value: "v"}, {Key: "j", Value: 1}}},
	}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
