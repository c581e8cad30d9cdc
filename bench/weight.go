package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/andybalholm/brotli"
)

// WeightResult is what a browser downloads to show one page: on a first visit with an empty
// cache, and on a repeat visit the next day with the cache the first visit left.
type WeightResult struct {
	Scale                        float64
	Page                         string
	FirstBytes, RepeatBytes      int64 // response headers and bodies as sent (compressed where the server compresses)
	FirstRequests, RepeatRequest int   // requests that went to the server (a fresh cache entry makes none)
	Assets                       []string
}

// browserAcceptEncoding is what Chromium sends for every request.
const browserAcceptEncoding = "gzip, deflate, br, zstd"

// subresources are the stylesheets, icons and scripts a page's HTML makes the browser fetch.
var subresources = regexp.MustCompile(`<(?:link[^>]*\shref|script[^>]*\ssrc)="(/static/[^"]+)"`)

// cached is one response in the emulated browser cache.
type cached struct {
	etag    string
	expires time.Time // fresh until then; zero when it must be revalidated
}

// weightBrowser is a browser's HTTP cache over the handler, as RFC 9111 has it for the headers
// this app sends: max-age (immutable included) keeps a response fresh, no-cache and a stale
// entry are revalidated with If-None-Match, no-store is never kept.
type weightBrowser struct {
	h       http.Handler
	cookies []*http.Cookie
	now     time.Time
	cache   map[string]cached
}

// fetch requests path as the browser would and returns the bytes transferred (0 when a fresh
// cache entry answers) and whether a request went out.
func (b *weightBrowser) fetch(ctx context.Context, path string) (int64, bool, []byte, error) {
	c, ok := b.cache[path]
	if ok && !c.expires.IsZero() && b.now.Before(c.expires) {
		return 0, false, nil, nil
	}
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", browserAcceptEncoding)
	if ok && c.etag != "" {
		req.Header.Set("If-None-Match", c.etag)
	}
	for _, ck := range b.cookies {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, true, nil, err
	}
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNotModified {
		return 0, true, nil, fmt.Errorf("GET %s: status %d", path, res.StatusCode)
	}
	// The status line, the headers (each "Name: value\r\n") and the blank line, as HTTP/1.1
	// sends them, then the body as sent.
	n := int64(len("HTTP/1.1 200 OK\r\n\r\n"))
	for k, vs := range res.Header {
		for _, v := range vs {
			n += int64(len(k) + 2 + len(v) + 2)
		}
	}
	if res.Header.Get("Content-Length") == "" && res.StatusCode == http.StatusOK {
		n += int64(len("Content-Length: \r\n") + len(strconv.Itoa(len(body))))
	}
	n += int64(len(body))
	b.store(path, res)
	// The page's HTML is read as the browser reads it: decoded.
	var dec io.Reader
	switch res.Header.Get("Content-Encoding") {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return 0, true, nil, fmt.Errorf("GET %s: %w", path, err)
		}
		dec = zr
	case "br":
		dec = brotli.NewReader(bytes.NewReader(body))
	}
	if dec != nil {
		if body, err = io.ReadAll(dec); err != nil {
			return 0, true, nil, fmt.Errorf("GET %s: %w", path, err)
		}
	}
	return n, true, body, nil
}

func (b *weightBrowser) store(path string, res *http.Response) {
	cc := strings.ToLower(res.Header.Get("Cache-Control"))
	if strings.Contains(cc, "no-store") {
		delete(b.cache, path)
		return
	}
	c := cached{etag: res.Header.Get("ETag")}
	if res.StatusCode == http.StatusNotModified {
		c.etag = b.cache[path].etag
	}
	if !strings.Contains(cc, "no-cache") {
		for _, d := range strings.Split(cc, ",") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(d), "max-age="); ok {
				if s, err := strconv.Atoi(v); err == nil && s > 0 {
					c.expires = b.now.Add(time.Duration(s) * time.Second)
				}
			}
		}
	}
	if c.etag == "" && c.expires.IsZero() {
		delete(b.cache, path) // nothing to revalidate with: fetched whole next time
		return
	}
	b.cache[path] = c
}

// visit loads the page and every asset its HTML references, and returns the bytes and
// requests that went to the server.
func (b *weightBrowser) visit(ctx context.Context, page string) (int64, int, []string, error) {
	total, requests := int64(0), 0
	n, sent, html, err := b.fetch(ctx, page)
	if err != nil {
		return 0, 0, nil, err
	}
	total += n
	if sent {
		requests++
	}
	var assets []string
	seen := map[string]bool{}
	for _, m := range subresources.FindAllStringSubmatch(string(html), -1) {
		if seen[m[1]] {
			continue
		}
		seen[m[1]] = true
		assets = append(assets, m[1])
		n, sent, _, err := b.fetch(ctx, m[1])
		if err != nil {
			return 0, 0, nil, err
		}
		total += n
		if sent {
			requests++
		}
	}
	return total, requests, assets, nil
}

// Weight measures what a browser downloads for page: a first visit with an empty cache, then
// a repeat visit a day later. cookies sign the browser in (nil for a public page).
func Weight(ctx context.Context, h http.Handler, cookies []*http.Cookie, page string) (WeightResult, error) {
	b := &weightBrowser{h: h, cookies: cookies, now: time.Now(), cache: map[string]cached{}}
	r := WeightResult{Page: page}
	var err error
	if r.FirstBytes, r.FirstRequests, r.Assets, err = b.visit(ctx, page); err != nil {
		return r, err
	}
	b.now = b.now.Add(24 * time.Hour)
	if r.RepeatBytes, r.RepeatRequest, _, err = b.visit(ctx, page); err != nil {
		return r, err
	}
	return r, nil
}

// WeightTargets are the goals for a page's weight.
const (
	FirstVisitTarget  = 400 * 1000
	RepeatVisitTarget = 60 * 1000
)

func kb(n int64) string { return strconv.FormatFloat(float64(n)/1000, 'f', 1, 64) }

func writeWeights(w io.Writer, ws []WeightResult) {
	if len(ws) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scale\tpage\tfirst visit KB\trequests\trepeat visit KB\trequests\tmeets (≤ 400 / ≤ 60 KB)\t")
	for _, r := range ws {
		fmt.Fprintf(tw, "%g\t%s\t%s\t%d\t%s\t%d\t%s\t\n", r.Scale, r.Page, kb(r.FirstBytes), r.FirstRequests, kb(r.RepeatBytes), r.RepeatRequest, weightMeets(r))
	}
	_ = tw.Flush()
}

func weightMeets(r WeightResult) string {
	if r.FirstBytes <= FirstVisitTarget && r.RepeatBytes <= RepeatVisitTarget {
		return "yes"
	}
	return "no"
}

func weightsMarkdown(ws []WeightResult) string {
	if len(ws) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n## Page weight\n\nBytes a browser downloads (headers and bodies as sent, with Chromium's " +
		"`Accept-Encoding`), on a first visit with an empty cache and on a repeat visit a day later with the cache " +
		"the first left (fresh entries are not requested; stale ones are revalidated). Targets: first visit ≤ 400 KB, " +
		"repeat visit ≤ 60 KB.\n\n| scale | page | first visit | requests | repeat visit | requests | meets |\n|---:|---|---:|---:|---:|---:|---|\n")
	for _, r := range ws {
		fmt.Fprintf(&b, "| %g | `%s` | %s KB | %d | %s KB | %d | %s |\n", r.Scale, r.Page, kb(r.FirstBytes), r.FirstRequests, kb(r.RepeatBytes), r.RepeatRequest, weightMeets(r))
	}
	return b.String()
}
