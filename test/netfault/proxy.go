// Package netfault is a TCP proxy for tests that can make a server stop answering
// without stopping it: Pause holds every byte in both directions (a hung database, a
// black-holed network), Refuse closes the listener and every connection (a stopped
// server), Resume brings either back.
package netfault

import (
	"net"
	"sync"
	"testing"
)

// Proxy forwards connections from Addr to a target address.
type Proxy struct {
	t      testing.TB
	target string

	mu     sync.Mutex
	cond   *sync.Cond
	paused bool
	ln     net.Listener
	addr   string
	conns  map[net.Conn]struct{}
}

// Start listens on a loopback port and forwards to target until the test ends.
func Start(t testing.TB, target string) *Proxy {
	t.Helper()
	p := &Proxy{t: t, target: target, conns: map[net.Conn]struct{}{}}
	p.cond = sync.NewCond(&p.mu)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(func() { p.Resume(); p.closeAll() })
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.addr }

// Pause stops forwarding: connections stay open, new ones are accepted, nothing moves.
func (p *Proxy) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paused = true
}

// Refuse closes the listener and every connection: new connections are refused.
func (p *Proxy) Refuse() { p.closeAll() }

// Resume forwards again (listening again on the same port after Refuse).
func (p *Proxy) Resume() {
	p.mu.Lock()
	p.paused = false
	p.cond.Broadcast()
	listening := p.ln != nil
	p.mu.Unlock()
	if !listening {
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			p.t.Errorf("netfault: listen again on %s: %v", p.addr, err)
			return
		}
		p.serve(ln)
	}
}

func (p *Proxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		_ = c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) forward(client net.Conn) {
	if !p.track(client) {
		return
	}
	p.wait()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = client.Close()
		return
	}
	if !p.track(server) {
		_ = client.Close()
		return
	}
	go p.copy(server, client)
	p.copy(client, server)
}

// wait blocks while the proxy is paused.
func (p *Proxy) wait() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.paused {
		p.cond.Wait()
	}
}

// copy moves bytes from src to dst, holding each chunk while the proxy is paused.
func (p *Proxy) copy(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.wait()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil { // EOF or closed: closing both ends passes it on
			return
		}
	}
}
