// Package static embeds the app's CSS, JavaScript and ECharts so the binary serves every asset
// itself: no CDN and no outside network at run time.
package static

import (
	"embed"
	"net/http"
	"strings"
)

//go:embed *.js *.css *.svg
var files embed.FS

// Handler serves the embedded assets. ECharts is pinned (5.6.0) and can be cached for a day;
// our own CSS and JS change with every deploy, so browsers revalidate them (the embedded
// files carry no modification time, so revalidation re-downloads; they are small).
func Handler() http.Handler {
	fs := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no directory listings
			return
		}
		if strings.HasSuffix(r.URL.Path, "echarts.min.js") {
			w.Header().Set("Cache-Control", "public, max-age=86400")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		fs.ServeHTTP(w, r)
	})
}
