// Command shot saves a full-page screenshot of any URL, after its charts have drawn, and
// prints what the browser console said. For looking at pages (signed in with the credentials
// `make run` printed; MARI_SHOT_PASSWORD may carry the password instead of -password):
//
//	go run ./e2e/cmd/shot -url http://127.0.0.1:8080/ -out /tmp/dashboard.png \
//	    -email demo@mari.example -password '...'
package main

import (
	"context"
	"flag"
	"fmt"
	neturl "net/url"
	"os"
	"time"

	"github.com/chromedp/chromedp"

	"mari/e2e/browser"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/", "page to capture")
	out := flag.String("out", "shot.png", "PNG file to write")
	timeout := flag.Duration("timeout", 20*time.Second, "how long the page may take to draw its charts")
	email := flag.String("email", "", "sign in with this account first (most pages need sign-in)")
	password := flag.String("password", os.Getenv("MARI_SHOT_PASSWORD"), "the account's password")
	width := flag.Int("width", 0, "window width in CSS pixels (390 a phone, 1440 a laptop, 1920 a wall screen); 0: the browser's default")
	flag.Parse()

	b, err := browser.New(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "shot:", err)
		os.Exit(1)
	}
	if *email != "" {
		u, err := neturl.Parse(*url)
		if err != nil {
			fmt.Fprintln(os.Stderr, "shot:", err)
			os.Exit(1)
		}
		if _, err := b.SignIn(u.Scheme+"://"+u.Host+"/signin", *email, *password, *timeout); err != nil {
			b.Close()
			fmt.Fprintln(os.Stderr, "shot:", err)
			os.Exit(1)
		}
	}
	var png []byte
	var res *browser.PageResult
	var loadErr error
	if *width > 0 {
		png, res, loadErr = atWidth(b, *url, *width, *timeout)
	} else {
		png, res, loadErr = b.Screenshot(*url, *timeout)
	}
	b.Close()
	status := 0
	if len(png) > 0 {
		if err := os.WriteFile(*out, png, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "shot:", err)
			os.Exit(1)
		}
		fmt.Printf("%s: %d charts drawn, screenshot %s\n", *url, res.Charts, *out)
	}
	for _, w := range res.Warnings {
		fmt.Println("warning:", w)
	}
	for _, p := range res.Problems() {
		fmt.Println("problem:", p)
		status = 1
	}
	if loadErr != nil {
		fmt.Fprintln(os.Stderr, "shot:", loadErr)
		status = 1
	}
	os.Exit(status)
}

// atWidth loads url in a tab of the given width and takes its full-page screenshot.
func atWidth(b *browser.Browser, url string, width int, timeout time.Duration) ([]byte, *browser.PageResult, error) {
	u, err := neturl.Parse(url)
	if err != nil {
		return nil, &browser.PageResult{}, err
	}
	tab, err := b.NewTab(u.Scheme + "://" + u.Host)
	if err != nil {
		return nil, &browser.PageResult{}, err
	}
	defer tab.Close()
	ctx, cancel := context.WithTimeout(tab.Ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(url)); err != nil {
		return nil, &browser.PageResult{}, err
	}
	res, err := tab.Snapshot()
	if res == nil {
		res = &browser.PageResult{}
	}
	return res.Screenshot, res, err
}
