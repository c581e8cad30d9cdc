package dbtest

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// LinkState is what a TCPProxy does with the connections it forwards.
type LinkState int

const (
	LinkUp    LinkState = iota // forward both ways
	LinkDown                   // close every connection, accept new ones only to close them
	LinkStall                  // close every connection; accept new ones and never answer
)

// TCPProxy sits between the app and a real database server so a test can cut the link and
// restore it, as an outage would, without touching the shared server itself.
type TCPProxy struct {
	t        testing.TB
	ln       net.Listener
	target   string
	Accepted atomic.Int64 // connections accepted, whatever the link did with them

	mu    sync.Mutex
	state LinkState
	conns map[net.Conn]bool
}

func NewTCPProxy(t testing.TB, target string) *TCPProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &TCPProxy{t: t, ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() {
		_ = ln.Close()
		p.Set(LinkDown)
	})
	go p.serve()
	return p
}

func (p *TCPProxy) Addr() string { return p.ln.Addr().String() }

func (p *TCPProxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.Accepted.Add(1)
		p.mu.Lock()
		state := p.state
		if state == LinkStall {
			p.conns[client] = true
		}
		p.mu.Unlock()
		switch state {
		case LinkDown:
			_ = client.Close()
		case LinkUp:
			go p.forward(client)
		}
	}
}

func (p *TCPProxy) forward(client net.Conn) {
	server, err := net.DialTimeout("tcp", p.target, 2*time.Second)
	if err != nil {
		_ = client.Close()
		return
	}
	p.mu.Lock()
	if p.state != LinkUp { // cut while dialling
		p.mu.Unlock()
		_ = client.Close()
		_ = server.Close()
		return
	}
	p.conns[client], p.conns[server] = true, true
	p.mu.Unlock()
	var once sync.Once
	closeBoth := func() {
		once.Do(func() {
			_ = client.Close()
			_ = server.Close()
			p.mu.Lock()
			delete(p.conns, client)
			delete(p.conns, server)
			p.mu.Unlock()
		})
	}
	go func() { _, _ = io.Copy(server, client); closeBoth() }()
	go func() { _, _ = io.Copy(client, server); closeBoth() }()
}

// Set changes the link; anything but up ends every connection open through the proxy.
func (p *TCPProxy) Set(s LinkState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = s
	if s == LinkUp {
		return
	}
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}
