package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"isomer.dev/isomer/internal/diag"
)

// looksExternal catches external addresses written without their scheme,
// which browsers treat as paths on this site.
func looksExternal(v string) bool {
	l := strings.ToLower(v)
	return strings.HasPrefix(l, "www.") || strings.HasPrefix(l, "http//") || strings.HasPrefix(l, "https//") ||
		strings.HasPrefix(l, "http:/") || strings.HasPrefix(l, "https:/")
}

// withScheme rewrites "www.x", "https//x" or "http:/x" as "https://x".
func withScheme(v string) string {
	rest := v
	for _, prefix := range []string{"https:/", "http:/", "https//", "http//"} {
		if len(rest) >= len(prefix) && strings.EqualFold(rest[:len(prefix)], prefix) {
			rest = rest[len(prefix):]
			break
		}
	}
	return "https://" + strings.TrimLeft(rest, "/")
}

// malformedReason says what is wrong with an external or other-scheme URL,
// or "" when it looks fine. It never uses the network.
func malformedReason(kind refKind, v string) string {
	space := strings.ContainsAny(v, " \t\n")
	if kind == refOther {
		scheme, rest, _ := strings.Cut(v, ":")
		switch strings.ToLower(scheme) {
		case "mailto":
			if space {
				return "contains a space; check it was copied whole"
			}
			addr, _, _ := strings.Cut(rest, "?")
			if addr, err := url.PathUnescape(addr); err != nil || !strings.Contains(addr, "@") || strings.HasPrefix(addr, "@") || strings.HasSuffix(addr, "@") {
				return "is not an email address (mailto:name@agency.gov.sg)"
			}
		case "tel":
			digits := 0
			if u, err := url.PathUnescape(rest); err == nil {
				rest = u
			}
			for _, r := range rest {
				switch {
				case r >= '0' && r <= '9':
					digits++
				case strings.ContainsRune("+-(). ", r):
				default:
					return "is not a phone number (tel:+6561234567)"
				}
			}
			if digits < 3 {
				return "is not a phone number (tel:+6561234567)"
			}
		case "file":
			return "points to a file on someone's computer, which visitors cannot open"
		default:
			s := strings.ToLower(scheme)
			switch s {
			case "ftp", "ftps", "sms", "webcal", "geo", "whatsapp", "skype", "callto", "maps", "facetime", "intent", "itms-apps", "market":
				return ""
			}
			best, bestD := "", 3
			for _, known := range []string{"https", "http", "mailto"} {
				if d := editDistance(s, known, bestD); d < bestD {
					best, bestD = known, d
				}
			}
			if best != "" {
				return fmt.Sprintf("has scheme %q; did you mean %s:?", scheme, best)
			}
		}
		return ""
	}
	if space {
		return "contains a space; check it was copied whole"
	}
	u, err := url.Parse(v)
	if err != nil {
		return "cannot be parsed as a URL"
	}
	host := u.Hostname()
	switch {
	case host == "":
		return "has no host name (write https://host/path)"
	case net.ParseIP(host) == nil && !strings.Contains(host, "."):
		return fmt.Sprintf("has host %q, which is not a public domain name", host)
	case strings.HasSuffix(host, ".") && len(host) > 1 && !strings.Contains(strings.TrimSuffix(host, "."), "."):
		return fmt.Sprintf("has host %q, which is not a public domain name", host)
	}
	return ""
}

// malformed reports an external or other-scheme URL that cannot work.
func (c *checker) malformed(d *pageDoc, r ref, kind refKind, v string) {
	if strings.EqualFold(strings.SplitN(v, ":", 2)[0], "javascript") {
		return // reported as unsafe-html in the source
	}
	reason := malformedReason(kind, v)
	if reason == "" {
		return
	}
	p, line := c.loc.ref(d, r)
	c.add(Finding{Rule: RuleMalformedURL, Severity: diag.Error, Path: p, Line: line, URL: c.pageURLOf(d),
		Message: fmt.Sprintf("URL %s %s", v, reason)})
}

// externalResult is the outcome of fetching one URL; it is what the cache keeps.
type externalResult struct {
	Status  int       `json:"status,omitempty"`
	Error   string    `json:"error,omitempty"`
	Checked time.Time `json:"checked"`
}

type externalCache struct {
	Version int                       `json:"version"`
	Results map[string]externalResult `json:"results"`
}

// external checks every well-formed external http(s) URL over the network
// when enabled: at most Rate requests a second, Concurrency at a time,
// results cached on disk for MaxAge. A 404 or 410 is an error; any other
// failure is a warning, since other sites go down and come back.
func (c *checker) external(ctx context.Context) error {
	o := c.opts.External
	if !o.Enabled {
		return nil
	}
	type occurrence struct {
		d *pageDoc
		r ref
	}
	uses := map[string][]occurrence{}
	for _, d := range c.docs {
		for _, r := range d.refs {
			if kind, v := c.idx.classify(r.value); kind == refExternal && malformedReason(kind, v) == "" {
				if strings.HasPrefix(v, "//") {
					v = "https:" + v
				}
				uses[v] = append(uses[v], occurrence{d, r})
			}
		}
	}
	urls := sortedKeys(uses)
	results, err := fetchAll(ctx, o, urls)
	if err != nil {
		return err
	}
	c.externalCount = len(urls)
	for _, u := range urls {
		res := results[u]
		var sev diag.Severity
		var msg string
		switch {
		case res.Error != "":
			sev, msg = diag.Warning, fmt.Sprintf("external link %s failed: %s", u, res.Error)
		case res.Status == http.StatusNotFound || res.Status == http.StatusGone:
			sev, msg = diag.Error, fmt.Sprintf("external link %s returns %d %s", u, res.Status, http.StatusText(res.Status))
		case res.Status >= 400:
			sev, msg = diag.Warning, fmt.Sprintf("external link %s returns %d %s", u, res.Status, http.StatusText(res.Status))
		default:
			continue
		}
		for _, oc := range uses[u] {
			p, line := c.loc.ref(oc.d, oc.r)
			c.add(Finding{Rule: RuleExternalLink, Severity: sev, Path: p, Line: line, Message: msg, URL: c.pageURLOf(oc.d)})
		}
	}
	return nil
}

// fetchAll fetches urls with the rate limit and the cache of o.
func fetchAll(ctx context.Context, o ExternalOptions, urls []string) (map[string]externalResult, error) {
	if o.Rate <= 0 {
		o.Rate = 2
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.MaxAge <= 0 {
		o.MaxAge = 24 * time.Hour
	}
	client := o.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	cache, err := readCache(o.CacheFile)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	results := map[string]externalResult{}
	var todo []string
	for _, u := range urls {
		if r, ok := cache.Results[u]; ok && now.Sub(r.Checked) < o.MaxAge {
			results[u] = r
			continue
		}
		todo = append(todo, u)
	}

	// A ticker is the rate limit: each request waits for its tick.
	ticker := time.NewTicker(time.Duration(float64(time.Second) / o.Rate))
	defer ticker.Stop()
	var mu sync.Mutex
	var wg sync.WaitGroup
	jobs := make(chan string)
	for range min(o.Concurrency, max(len(todo), 1)) {
		wg.Go(func() {
			for u := range jobs {
				select {
				case <-ctx.Done():
					continue
				case <-ticker.C:
				}
				r := fetch(ctx, client, u)
				mu.Lock()
				results[u] = r
				mu.Unlock()
			}
		})
	}
	for _, u := range todo {
		jobs <- u
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for u, r := range results {
		cache.Results[u] = r
	}
	if err := writeCache(o.CacheFile, cache); err != nil {
		return nil, err
	}
	return results, nil
}

// fetch asks for one URL: HEAD first, GET when the server does not do HEAD.
func fetch(ctx context.Context, client *http.Client, u string) externalResult {
	res := externalResult{Checked: time.Now().UTC()}
	status, err := request(ctx, client, http.MethodHead, u)
	if err != nil || status == http.StatusMethodNotAllowed || status == http.StatusNotImplemented || status == http.StatusForbidden {
		status, err = request(ctx, client, http.MethodGet, u)
	}
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		res.Error = err.Error()
		return res
	}
	res.Status = status
	return res
}

func request(ctx context.Context, client *http.Client, method, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", "isomer-check (link checker)")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

func readCache(file string) (*externalCache, error) {
	c := &externalCache{Version: 1, Results: map[string]externalResult{}}
	if file == "" {
		return c, nil
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read link cache: %w", err)
	}
	var got externalCache
	if json.Unmarshal(b, &got) != nil || got.Version != 1 || got.Results == nil {
		return c, nil // an unreadable cache is only slower, not wrong
	}
	return &got, nil
}

func writeCache(file string, c *externalCache) error {
	if file == "" {
		return nil
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("write link cache: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return fmt.Errorf("write link cache: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".links-*")
	if err != nil {
		return fmt.Errorf("write link cache: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write link cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write link cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("write link cache: %w", err)
	}
	return nil
}

// urlKeys are the YAML keys whose values are links: navigation and footer
// entries, homepage sections, resource items, contact locations.
func urlKeys() map[string]bool {
	return map[string]bool{
		"url": true, "link_url": true, "file_url": true, "external": true, "maps_link": true,
		"contact_us": true, "faq": true, "feedback": true, "privacy_policy": true, "terms_of_use": true,
		"facebook": true, "twitter": true, "youtube": true, "instagram": true, "linkedin": true,
		"telegram": true, "tiktok": true,
	}
}

var yamlFieldRE = regexp.MustCompile(`^\s*(?:-\s+)?([A-Za-z_]+):\s*(.*?)\s*$`)

// fieldURLs reports malformed external URLs written in navigation, footer
// and front matter fields. Most also show in the built pages, but the
// theme drops a URL with an unknown scheme ("htps://") to "#ZgotmplZ", so
// the source is the only place to see it.
func (c *checker) fieldURLs() {
	keys := urlKeys()
	files := []scope{c.loc.scope("_data/navigation.yml", wholeFile), c.loc.scope("_data/footer.yml", wholeFile)}
	for _, p := range c.loc.sources {
		files = append(files, c.loc.scope(p, frontMatter))
	}
	for _, sc := range files {
		lines := c.loc.file(sc.path)
		for i := sc.from; i < sc.to && i < len(lines); i++ {
			m := yamlFieldRE.FindStringSubmatch(lines[i])
			if m == nil || !keys[m[1]] {
				continue
			}
			v := strings.Trim(m[2], `"'`)
			kind, v := c.idx.classify(v)
			if kind != refExternal && kind != refOther || strings.EqualFold(strings.SplitN(v, ":", 2)[0], "javascript") {
				continue
			}
			if reason := malformedReason(kind, v); reason != "" {
				c.add(Finding{Rule: RuleMalformedURL, Severity: diag.Error, Path: sc.path, Line: i + 1,
					Message: fmt.Sprintf("URL %s %s", v, reason)})
			}
		}
	}
}
