package build

import (
	"strings"
	"testing"
)

func TestContainsAround(t *testing.T) {
	const marker = "instagram-wrapper"
	for _, body := range []string{"", "instagram-wrapper", "x instagram-wrapper", "-wrapper", "instagram-wrappe", "a-b-c instagram-wrapper-d", "gram-wrapper instagram", "instagram-wrapperinstagram-wrapper"} {
		for _, rare := range []int{0, len("instagram"), len(marker) - 1} {
			if got, want := containsAround([]byte(body), marker, rare), strings.Contains(body, marker); got != want {
				t.Errorf("containsAround(%q, rare %d) = %v, want %v", body, rare, got, want)
			}
		}
	}
}
