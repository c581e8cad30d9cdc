package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"mari/static"
)

// The emulated browser counts what goes over the wire: a first visit downloads the page and
// its assets compressed; a repeat visit a day later downloads the page again, nothing of a
// hashed asset (cached for a year) and only a 304 for an asset under its plain name (cached
// for five minutes, then revalidated).
func TestWeightFollowsCacheHeaders(t *testing.T) {
	html := `<link rel="stylesheet" href="` + static.Path("app.css") + `"/><script src="/static/charts.js" defer></script>`
	mux := http.NewServeMux()
	mux.Handle("/static/", http.StripPrefix("/static/", static.Handler()))
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte(html))
	})
	sent := func(path, etag string) int64 {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", browserAcceptEncoding)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		n := int64(len("HTTP/1.1 200 OK\r\n\r\n") + rec.Body.Len())
		for k, vs := range rec.Result().Header {
			for _, v := range vs {
				n += int64(len(k) + 4 + len(v))
			}
		}
		if rec.Result().Header.Get("Content-Length") == "" && rec.Code == 200 {
			n += int64(len("Content-Length: \r\n") + len(strconv.Itoa(rec.Body.Len())))
		}
		return n
	}
	page, css, js := sent("/page", ""), sent(static.Path("app.css"), ""), sent("/static/charts.js", "")
	etag := func() string {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/static/charts.js", nil)
		req.Header.Set("Accept-Encoding", browserAcceptEncoding)
		mux.ServeHTTP(rec, req)
		return rec.Header().Get("ETag")
	}()
	notModified := sent("/static/charts.js", etag)

	w, err := Weight(context.Background(), mux, nil, "/page")
	if err != nil {
		t.Fatal(err)
	}
	if w.FirstBytes != page+css+js || w.FirstRequests != 3 || len(w.Assets) != 2 {
		t.Errorf("first visit %d bytes in %d requests; want %d in 3", w.FirstBytes, w.FirstRequests, page+css+js)
	}
	if w.RepeatBytes != page+notModified || w.RepeatRequest != 2 {
		t.Errorf("repeat visit %d bytes in %d requests; want %d (page) + %d (304) in 2", w.RepeatBytes, w.RepeatRequest, page, notModified)
	}
	// The stylesheet went compressed: far less than the file.
	if css > 12000 {
		t.Errorf("app.css took %d bytes", css)
	}
}
