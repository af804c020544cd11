package search

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// filler pads a text to a given number of neutral words, so that length
// normalisation is equal across the documents of a case.
func filler(n int) string {
	return strings.TrimSpace(strings.Repeat("lorem ", n))
}

func TestSearchRanking(t *testing.T) {
	for _, tc := range []struct {
		name  string
		docs  []Doc
		query string
		want  []string // URLs, in order
	}{
		{
			name: "every word before some words",
			docs: []Doc{
				{URL: "/a/", Text: "housing housing housing housing grants " + filler(20)},
				{URL: "/b/", Text: "housing " + filler(20)},
				{URL: "/c/", Text: "digital housing " + filler(20)},
			},
			query: "digital housing",
			want:  []string{"/c/", "/a/", "/b/"},
		},
		{
			name: "title over heading over text",
			docs: []Doc{
				{URL: "/text/", Title: "One", Text: "levy " + filler(20)},
				{URL: "/heading/", Title: "Two", Headings: []string{"levy"}, Text: "levy " + filler(20)},
				{URL: "/title/", Title: "Levy", Text: "levy " + filler(20)},
			},
			query: "levy",
			want:  []string{"/title/", "/heading/", "/text/"},
		},
		{
			name: "more occurrences, same length",
			docs: []Doc{
				{URL: "/once/", Text: "permit " + filler(20)},
				{URL: "/thrice/", Text: "permit permit permit " + filler(18)},
			},
			query: "permit",
			want:  []string{"/thrice/", "/once/"},
		},
		{
			name: "shorter page wins at equal counts",
			docs: []Doc{
				{URL: "/long/", Text: "permit " + filler(200)},
				{URL: "/short/", Text: "permit " + filler(10)},
			},
			query: "permit",
			want:  []string{"/short/", "/long/"},
		},
		{
			name: "rare word outweighs common word",
			docs: []Doc{
				{URL: "/common1/", Text: "service " + filler(10)},
				{URL: "/common2/", Text: "service " + filler(10)},
				{URL: "/common3/", Text: "service " + filler(10)},
				{URL: "/rare/", Text: "ombudsman " + filler(10)},
			},
			query: "service ombudsman",
			want:  []string{"/rare/", "/common1/", "/common2/", "/common3/"},
		},
		{
			name: "exact word before prefix match",
			docs: []Doc{
				{URL: "/a/", Text: "sustainability " + filler(10)},
				{URL: "/b/", Text: "sustain " + filler(10)},
				{URL: "/c/", Text: "sus " + filler(10)},
			},
			query: "sustain",
			want:  []string{"/b/", "/a/"},
		},
		{
			name: "short words are not prefixes",
			docs: []Doc{
				{URL: "/a/", Text: "government"},
				{URL: "/b/", Text: "go"},
			},
			query: "go",
			want:  []string{"/b/"},
		},
		{
			name: "stemmed forms meet",
			docs: []Doc{
				{URL: "/a/", Text: "We granted it."},
				{URL: "/b/", Text: "Granting now."},
				{URL: "/c/", Text: "Grantor."},
			},
			query: "GRANTS",
			// "grantor" starts with "grant": found, at half weight.
			want: []string{"/a/", "/b/", "/c/"},
		},
		{
			name:  "stop words only",
			docs:  []Doc{{URL: "/a/", Text: "the and of"}},
			query: "the of",
			want:  nil,
		},
		{
			name: "same URL: the later doc wins",
			docs: []Doc{
				{URL: "/a/", Text: "old words"},
				{URL: "/a/", Text: "new words"},
			},
			query: "old new",
			want:  []string{"/a/"},
		},
		{
			name: "ties by URL",
			docs: []Doc{
				{URL: "/z/", Text: "equal"},
				{URL: "/m/", Text: "equal"},
				{URL: "/a/", Text: "equal"},
			},
			query: "equal",
			want:  []string{"/a/", "/m/", "/z/"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Search(filesMap(Index(tc.docs)), tc.query, 1)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.URL)
			}
			if diff := cmp.Diff(tc.want, got, cmpEmpty); diff != "" {
				t.Errorf("Search(%q) (-want +got):\n%s\nhits: %+v", tc.query, diff, res.Hits)
			}
		})
	}
}

func TestSearchPages(t *testing.T) {
	var docs []Doc
	for i := range 25 {
		docs = append(docs, Doc{URL: fmt.Sprintf("/p%02d/", i), Title: fmt.Sprintf("Page %d", i), Text: "common"})
	}
	fsys := filesMap(Index(docs))
	for _, tc := range []struct {
		page, wantPage, wantHits int
		first                    string
	}{
		{1, 1, 10, "/p00/"},
		{2, 2, 10, "/p10/"},
		{3, 3, 5, "/p20/"},
		{99, 3, 5, "/p20/"},
		{0, 1, 10, "/p00/"},
	} {
		res, err := Search(fsys, "common", tc.page)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 25 || res.Pages != 3 || res.Page != tc.wantPage || len(res.Hits) != tc.wantHits || res.Hits[0].URL != tc.first {
			t.Errorf("page %d: total %d pages %d page %d hits %d first %s", tc.page, res.Total, res.Pages, res.Page, len(res.Hits), res.Hits[0].URL)
		}
	}
	// What page 1 downloads: the manifest, one term shard, one doc shard.
	res, _ := Search(fsys, "common", 1)
	if len(res.Fetched) != 3 {
		t.Errorf("fetched %v, want manifest, term shard and document shard", res.Fetched)
	}
}

func TestShardsFor(t *testing.T) {
	terms := [][2]string{{"", "s0"}, {"data", "s1"}, {"gov", "s2"}, {"govern", "s3"}, {"government", "s4"}, {"governor", "s5"}, {"grant", "s6"}}
	for _, tc := range []struct {
		term string
		want []int
	}{
		{"apple", []int{0}},
		{"data", []int{1}},
		{"dat", []int{0, 1}}, // as a prefix it reaches into "data"
		{"go", []int{1}},     // too short to be a prefix
		{"gov", []int{2, 3, 4}},
		{"govern", []int{3, 4, 5}},
		{"governments", []int{4}},
		{"zebra", []int{6}},
		{"数", []int{6}},
	} {
		if diff := cmp.Diff(tc.want, shardsFor(terms, tc.term)); diff != "" {
			t.Errorf("shardsFor(%q) (-want +got):\n%s", tc.term, diff)
		}
	}
}

func TestPlanShards(t *testing.T) {
	var terms [][2]string
	terms = append(terms, [2]string{"", "s"})
	for _, p := range []string{"aaa", "bbb", "ccc", "ddd", "eee", "fff"} {
		for i := range 3 {
			terms = append(terms, [2]string{p + strings.Repeat("x", i), p + fmt.Sprint(i)})
		}
	}
	// Six prefixes of three shards each: every word keeps its own shard,
	// and the prefix shards stop at the budget.
	plan := planShards(terms, []string{"aaa", "bbb", "ccc", "ddd", "eee", "fff", "zzz"})
	seen := map[int]bool{}
	for i, p := range plan {
		if len(p) == 0 {
			t.Errorf("word %d has no shard", i)
		}
		for _, si := range p {
			seen[si] = true
		}
	}
	if len(seen) != maxQueryShards {
		t.Errorf("plan uses %d shards, want the budget %d: %v", len(seen), maxQueryShards, plan)
	}
	if diff := cmp.Diff([][]int{{1, 2, 3}, {4, 5, 6}, {7, 8}, {10}, {13}, {16}, {18}}, plan); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}
