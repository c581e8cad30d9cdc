// Package browser drives headless Chromium (Debian's, through chromedp) for the browser tests
// in e2e/ and for e2e/cmd/shot: load a page, wait until every chart has drawn, collect the
// console's errors and the failed requests, take a full-page screenshot.
package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is Debian's Chromium (scripts/install-browser.sh installs it).
const ChromiumPath = "/usr/bin/chromium"

// Browser is one headless Chromium with its own empty profile.
type Browser struct {
	ctx     context.Context // the browser's context; each page gets a tab under it
	cancel  func()
	profile string
}

// New starts Chromium. The flags keep it off the network (this machine's network is
// closed; Chromium's background connections would otherwise fail loudly) and let it run as
// root in a container.
func New(ctx context.Context) (*Browser, error) {
	if _, err := os.Stat(ChromiumPath); err != nil {
		return nil, fmt.Errorf("chromium not found at %s: run `make install-browser` (%w)", ChromiumPath, err)
	}
	profile, err := os.MkdirTemp("", "mari-e2e-chromium-")
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1440, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	// The first action starts the browser, so a broken install fails here and not later.
	if err := chromedp.Do(browserCtx); err != nil {
		cancelBrowser()
		cancelAlloc()
		_ = os.RemoveAll(profile)
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	return &Browser{
		ctx:     browserCtx,
		profile: profile,
		cancel: func() {
			cancelBrowser()
			cancelAlloc()
			_ = os.RemoveAll(profile)
		},
	}, nil
}

// Close stops the browser and deletes its profile.
func (b *Browser) Close() { b.cancel() }

// PageResult is what one page load showed.
type PageResult struct {
	URL            string
	Charts         int      // [data-echarts] elements, all drawn when Load returns without error
	ConsoleErrors  []string // console.error calls, uncaught exceptions, browser-log errors
	Warnings       []string // console warnings (reported, not failures)
	FailedRequests []string // requests to the app that failed or got a status >= 400
	OutsideHosts   []string // requests that left the app's origin (the app must need no network)
	Text           string   // the page's visible text
	Screenshot     []byte   // PNG of the whole page
}

// Problems lists every failure a page check counts: console errors, failed requests to the
// app, and requests to anywhere else.
func (r *PageResult) Problems() []string {
	var out []string
	for _, e := range r.ConsoleErrors {
		out = append(out, "console: "+e)
	}
	for _, e := range r.FailedRequests {
		out = append(out, "request: "+e)
	}
	for _, e := range r.OutsideHosts {
		out = append(out, "outside request (no CDN, no network at run time): "+e)
	}
	return out
}

// recorder collects a tab's console and network events. Its listener runs in the tab's
// event loop, so it only appends under a lock.
type recorder struct {
	origin string

	mu       sync.Mutex
	urls     map[network.RequestID]string
	errors   []string
	warnings []string
	failed   []string
	outside  []string
}

func (r *recorder) listen(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		switch ev.Type {
		case runtime.ConsoleAPICalledTypeError, runtime.ConsoleAPICalledTypeAssert:
			r.errors = append(r.errors, "console."+string(ev.Type)+": "+argsText(ev.Args)+where(ev.StackTrace))
		case runtime.ConsoleAPICalledTypeWarning:
			r.warnings = append(r.warnings, "console.warn: "+argsText(ev.Args))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		r.errors = append(r.errors, fmt.Sprintf("uncaught exception: %s (%s:%d:%d)", msg, d.URL, d.LineNumber+1, d.ColumnNumber+1))
	case *log.EventEntryAdded:
		e := ev.Entry
		if e.Source == log.EntrySourceNetwork {
			break // failed requests are recorded, with their URL, from the network events below
		}
		switch e.Level {
		case log.EntryLevelError:
			r.errors = append(r.errors, fmt.Sprintf("browser log (%s): %s %s", e.Source, e.Text, e.URL))
		case log.EntryLevelWarning:
			r.warnings = append(r.warnings, fmt.Sprintf("browser log (%s): %s %s", e.Source, e.Text, e.URL))
		}
	case *network.EventRequestWillBeSent:
		u := ev.Request.URL
		r.urls[ev.RequestID] = u
		if !strings.HasPrefix(u, r.origin) && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:") {
			r.outside = append(r.outside, u)
		}
	case *network.EventResponseReceived:
		if ev.Response.Status >= 400 && strings.HasPrefix(ev.Response.URL, r.origin) {
			r.failed = append(r.failed, fmt.Sprintf("%s: HTTP %d", ev.Response.URL, ev.Response.Status))
		}
	case *network.EventLoadingFailed:
		if u := r.urls[ev.RequestID]; strings.HasPrefix(u, r.origin) && !ev.Canceled {
			r.failed = append(r.failed, fmt.Sprintf("%s: %s", u, ev.ErrorText))
		}
	}
}

func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		switch {
		case len(a.Value) > 0:
			var s string
			if json.Unmarshal(a.Value, &s) == nil {
				parts = append(parts, s)
			} else {
				parts = append(parts, string(a.Value))
			}
		case a.Description != "":
			parts = append(parts, a.Description)
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

func where(st *runtime.StackTrace) string {
	if st == nil || len(st.CallFrames) == 0 {
		return ""
	}
	f := st.CallFrames[0]
	return fmt.Sprintf(" (%s:%d:%d)", f.URL, f.LineNumber+1, f.ColumnNumber+1)
}

// chartsState reports every [data-echarts] element and whether it has been drawn: an ECharts
// instance on it, a canvas (or svg) inside it, and at least one series in its option.
const chartsState = `(() => {
  const els = Array.from(document.querySelectorAll('[data-echarts]'));
  const lib = typeof window.echarts !== 'undefined';
  const charts = els.map((el, i) => {
    const name = el.id || el.getAttribute('aria-label') || el.closest('[id]')?.id || ('chart ' + (i + 1));
    if (!lib) return {name, drawn: false, why: 'window.echarts is not loaded'};
    const inst = echarts.getInstanceByDom(el);
    if (!inst) return {name, drawn: false, why: 'no echarts instance on the element'};
    if (!el.querySelector('canvas, svg')) return {name, drawn: false, why: 'nothing rendered inside'};
    const series = (inst.getOption() || {}).series || [];
    if (series.length === 0) return {name, drawn: false, why: 'the chart has no series'};
    return {name, drawn: true, why: ''};
  });
  return {ready: document.readyState === 'complete', charts};
})()`

// canvasPrint is a fingerprint of every canvas's pixels, to tell when animations are over.
const canvasPrint = `(() => {
  let h = 0;
  for (const c of document.querySelectorAll('[data-echarts] canvas')) {
    const s = c.toDataURL();
    for (let i = 0; i < s.length; i += 7) h = (h * 31 + s.charCodeAt(i)) | 0;
    h = (h * 31 + s.length) | 0;
  }
  return String(h);
})()`

// waitStill waits until the charts' pixels are the same three reads in a row, 200 ms apart,
// or until limit passes (a chart that animates forever is still a drawn chart).
func waitStill(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	last, same := "", 0
	for time.Now().Before(deadline) {
		fp, err := chromedp.Run(ctx, chromedp.Evaluate[string](canvasPrint))
		if err != nil {
			return fmt.Errorf("read canvases: %w", err)
		}
		if fp == last {
			if same++; same == 2 {
				return nil
			}
		} else {
			last, same = fp, 0
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil
}

type chartState struct {
	Ready  bool `json:"ready"`
	Charts []struct {
		Name  string `json:"name"`
		Drawn bool   `json:"drawn"`
		Why   string `json:"why"`
	} `json:"charts"`
}

func (s chartState) done() bool {
	if !s.Ready {
		return false
	}
	for _, c := range s.Charts {
		if !c.Drawn {
			return false
		}
	}
	return true
}

func (s chartState) undrawn() string {
	var out []string
	for _, c := range s.Charts {
		if !c.Drawn {
			out = append(out, c.Name+": "+c.Why)
		}
	}
	return strings.Join(out, "; ")
}

// Load opens url in a new tab, waits (up to timeout) until the document has loaded and every
// [data-echarts] element has been drawn, lets late console messages arrive, and takes a
// full-page screenshot. It returns an error when the page never finished drawing; console
// errors and failed requests are in the result for the caller to judge (see Problems).
func (b *Browser) Load(url, origin string, timeout time.Duration) (*PageResult, error) {
	rec := &recorder{origin: strings.TrimSuffix(origin, "/"), urls: map[network.RequestID]string{}}
	tab, cancelTab := chromedp.NewContext(b.ctx, chromedp.WithListener(rec.listen))
	defer cancelTab()
	ctx, cancel := context.WithTimeout(tab, timeout+30*time.Second)
	defer cancel()

	res := &PageResult{URL: url}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return res, fmt.Errorf("navigate to %s: %w", url, err)
	}
	var state chartState
	deadline := time.Now().Add(timeout)
	for {
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](chartsState))
		if err != nil {
			return res, fmt.Errorf("read chart state: %w", err)
		}
		if err := json.Unmarshal(raw, &state); err != nil {
			return res, fmt.Errorf("decode chart state %s: %w", raw, err)
		}
		if state.done() {
			break
		}
		if time.Now().After(deadline) {
			err := fmt.Errorf("after %s, not drawn: %s", timeout, state.undrawn())
			if !state.Ready {
				err = fmt.Errorf("after %s the document had not finished loading", timeout)
			}
			b.finish(ctx, res, rec) // keep the screenshot and the console of the failure
			return res, err
		}
		time.Sleep(100 * time.Millisecond)
	}
	res.Charts = len(state.Charts)
	// ECharts animates its first draw: wait until the canvases stop changing, so the
	// screenshot shows finished charts. Late errors (a resize, an async fetch) arrive meanwhile.
	if err := waitStill(ctx, 5*time.Second); err != nil {
		return res, err
	}
	return res, b.finish(ctx, res, rec)
}

func (b *Browser) finish(ctx context.Context, res *PageResult, rec *recorder) error {
	var errs []error
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	errs = append(errs, err)
	res.Text = text
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	errs = append(errs, err)
	res.Screenshot = shot

	rec.mu.Lock()
	defer rec.mu.Unlock()
	res.ConsoleErrors = append([]string(nil), rec.errors...)
	res.Warnings = append([]string(nil), rec.warnings...)
	res.FailedRequests = append([]string(nil), rec.failed...)
	res.OutsideHosts = append([]string(nil), rec.outside...)
	return errors.Join(errs...)
}

// Screenshot loads url (waiting for its charts as Load does) and returns a PNG of the whole page.
func (b *Browser) Screenshot(url string, timeout time.Duration) ([]byte, *PageResult, error) {
	origin := url
	if i := strings.Index(url, "://"); i >= 0 {
		if j := strings.Index(url[i+3:], "/"); j >= 0 {
			origin = url[:i+3+j]
		}
	}
	res, err := b.Load(url, origin, timeout)
	return res.Screenshot, res, err
}

// ArtifactsDir is artifacts/<sub> at the repository root (git-ignored), created if needed.
func ArtifactsDir(sub string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
	out := filepath.Join(dir, "artifacts", sub)
	return out, os.MkdirAll(out, 0o755)
}

// SignIn opens signinURL in a tab, fills in the sign-in form as a person would and submits it.
// The session cookie stays in the browser's profile, so every later Load is signed in. It
// returns the path the browser landed on.
func (b *Browser) SignIn(signinURL, email, password string, timeout time.Duration) (string, error) {
	tab, cancelTab := chromedp.NewContext(b.ctx)
	defer cancelTab()
	ctx, cancel := context.WithTimeout(tab, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(signinURL)); err != nil {
		return "", fmt.Errorf("navigate to %s: %w", signinURL, err)
	}
	creds, err := json.Marshal([]string{email, password})
	if err != nil {
		return "", err
	}
	fill := `(() => { const [e, p] = ` + string(creds) + `;
		const f = document.querySelector('form[action="/signin"]');
		if (!f) return false;
		f.elements.email.value = e; f.elements.password.value = p;
		f.querySelector('button[type=submit]').click();
		return true; })()`
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fill))
	if err != nil || !ok {
		return "", fmt.Errorf("no sign-in form at %s (%v)", signinURL, err)
	}
	for {
		path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === 'complete' ? location.pathname : ''`))
		if err == nil && path != "" && path != "/signin" {
			return path, nil
		}
		if err == nil && path == "/signin" {
			msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('.form-error') || {}).textContent || ''`))
			if msg != "" {
				return path, fmt.Errorf("sign-in refused: %s", msg)
			}
		}
		if ctx.Err() != nil {
			return path, fmt.Errorf("sign-in did not finish within %s", timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Tab is one tab that a test drives step by step (fill in a form, click, navigate, reload),
// recording its console and network as Load does, and closing any JavaScript dialog (alert,
// confirm, prompt) that opens, so a test can assert that none did.
type Tab struct {
	// Ctx is the tab's chromedp context: run actions on it.
	Ctx    context.Context
	cancel func()
	rec    *recorder

	mu      sync.Mutex
	dialogs []string
	accept  bool // answer dialogs with OK (AcceptDialogs) rather than Cancel
}

// AcceptDialogs chooses how the tab answers the dialogs that open from now on: OK (true) or
// Cancel (false, the default).
func (t *Tab) AcceptDialogs(accept bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.accept = accept
}

// NewTab opens a tab in the browser (with its profile, so signed in when the browser is).
// origin is the app's address, for telling its requests from outside ones.
func (b *Browser) NewTab(origin string) (*Tab, error) {
	t := &Tab{rec: &recorder{origin: strings.TrimSuffix(origin, "/"), urls: map[network.RequestID]string{}}}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithListener(t.listen))
	t.Ctx, t.cancel = ctx, cancel
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return nil, fmt.Errorf("open a tab: %w", err)
	}
	return t, nil
}

func (t *Tab) listen(ev any) {
	t.rec.listen(ev)
	if ev, ok := ev.(*page.EventJavascriptDialogOpening); ok {
		t.mu.Lock()
		t.dialogs = append(t.dialogs, string(ev.Type)+": "+ev.Message)
		accept := t.accept
		t.mu.Unlock()
		// The dialog blocks the page, and this listener runs in the tab's event loop: dismiss
		// it from another goroutine.
		go func() {
			_, _ = chromedp.Call(t.Ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
		}()
	}
}

// Dialogs lists the JavaScript dialogs that opened in the tab ("alert: 1").
func (t *Tab) Dialogs() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.dialogs...)
}

// Snapshot returns what the tab shows now (its text and a full-page screenshot) with the
// console errors, warnings and failed requests recorded since the last Snapshot, then starts
// recording afresh.
func (t *Tab) Snapshot() (*PageResult, error) {
	url, err := chromedp.Run(t.Ctx, chromedp.Location())
	res := &PageResult{URL: url}
	ferr := (&Browser{}).finish(t.Ctx, res, t.rec)
	t.rec.mu.Lock()
	t.rec.errors, t.rec.warnings, t.rec.failed, t.rec.outside = nil, nil, nil, nil
	t.rec.mu.Unlock()
	return res, errors.Join(err, ferr)
}

// Close closes the tab.
func (t *Tab) Close() { t.cancel() }
