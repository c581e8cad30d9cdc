package static

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func get(t *testing.T, target string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	http.StripPrefix("/static/", Handler()).ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func embedded(t *testing.T, name string) []byte {
	t.Helper()
	b, err := files.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every asset has a content-hashed name that is cached for a year and never revalidated.
func TestHashedNamesAreImmutable(t *testing.T) {
	for _, name := range []string{"app.css", "charts.js", "echarts.min.js", "favicon.svg"} {
		p := Path(name)
		if !regexp.MustCompile(`^/static/[a-z.]+\.[0-9a-f]{12}\.(css|js|svg)$`).MatchString(p) || !strings.HasSuffix(p, name[strings.LastIndexByte(name, '.'):]) {
			t.Fatalf("Path(%q) = %q; want a content-hashed name", name, p)
		}
		res := get(t, p)
		if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d, Cache-Control %q", p, res.StatusCode, res.Header.Get("Cache-Control"))
		}
		if got := body(t, res); !bytes.Equal(got, embedded(t, name)) {
			t.Errorf("%s: %d bytes, not the embedded file", p, len(got))
		}
		// The old name keeps working, with a short cache.
		res = get(t, "/static/"+name)
		if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, max-age=300" {
			t.Errorf("/static/%s: %d, Cache-Control %q", name, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
	// The hash follows the content: a different file has a different name.
	if Path("app.css") == Path("charts.js") || Path("unknown.js") != "/static/unknown.js" {
		t.Errorf("paths: %q %q %q", Path("app.css"), Path("charts.js"), Path("unknown.js"))
	}
	if ct := get(t, Path("app.css")).Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("app.css Content-Type %q", ct)
	}
}

// A hash from another build leads to this build's file (a page cached across a deploy still
// gets its stylesheet), without being cached itself; anything else is 404, directories too.
func TestUnknownNames(t *testing.T) {
	res := get(t, "/static/app.0123456789ab.css")
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != Path("app.css") || res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale hash: %d to %q, Cache-Control %q", res.StatusCode, res.Header.Get("Location"), res.Header.Get("Cache-Control"))
	}
	for _, target := range []string{"/static/", "/static/nothing.css", "/static/app.zzzz.css", "/static/nothing.0123456789ab.js", "/static/static.go", "/static/../go.mod"} {
		if res := get(t, target); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", target, res.StatusCode)
		}
	}
	req := httptest.NewRequest(http.MethodPost, Path("app.css"), nil)
	rec := httptest.NewRecorder()
	http.StripPrefix("/static/", Handler()).ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
}

// Compressed when the browser says it accepts it (brotli first, then gzip), the file as
// written otherwise; each answer says it varies with Accept-Encoding.
func TestCompression(t *testing.T) {
	want := embedded(t, "echarts.min.js")
	p := Path("echarts.min.js")
	cases := []struct {
		accept, coding string
	}{
		{"", ""},
		{"identity", ""},
		{"gzip", "gzip"},
		{"gzip, deflate", "gzip"},
		{"gzip, deflate, br, zstd", "br"},
		{"br;q=0, gzip", "gzip"},
		{"gzip;q=0", ""},
		{"*", "br"},
		{"*, br;q=0", "gzip"},
		{"deflate", ""},
	}
	for _, c := range cases {
		res := get(t, p, "Accept-Encoding", c.accept)
		if res.Header.Get("Content-Encoding") != c.coding || res.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, Vary %q; want %q", c.accept, res.Header.Get("Content-Encoding"), res.Header.Get("Vary"), c.coding)
			continue
		}
		raw := body(t, res)
		var r io.Reader = bytes.NewReader(raw)
		switch c.coding {
		case "gzip":
			zr, err := gzip.NewReader(r)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		case "br":
			r = brotli.NewReader(r)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Accept-Encoding %q: does not decode to the file (%v)", c.accept, err)
		}
		if c.coding != "" && len(raw) > len(want)/3 {
			t.Errorf("%s: %d bytes of %d", c.coding, len(raw), len(want))
		}
		if c.coding != "" && res.Header.Get("Content-Length") != "" && res.Header.Get("Content-Length") != itoa(len(raw)) {
			t.Errorf("%s: Content-Length %s for %d bytes", c.coding, res.Header.Get("Content-Length"), len(raw))
		}
	}
}

// A browser that holds the file asks with its ETag and gets 304 with no body; each encoding
// has its own ETag, so a cached gzip body is never taken for brotli.
func TestRevalidation(t *testing.T) {
	gz := get(t, "/static/app.css", "Accept-Encoding", "gzip")
	br := get(t, "/static/app.css", "Accept-Encoding", "br")
	if gz.Header.Get("ETag") == "" || gz.Header.Get("ETag") == br.Header.Get("ETag") {
		t.Fatalf("ETags %q and %q", gz.Header.Get("ETag"), br.Header.Get("ETag"))
	}
	res := get(t, "/static/app.css", "Accept-Encoding", "gzip", "If-None-Match", gz.Header.Get("ETag"))
	if res.StatusCode != http.StatusNotModified || len(body(t, res)) != 0 {
		t.Errorf("revalidation: %d", res.StatusCode)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
