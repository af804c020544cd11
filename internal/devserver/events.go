package devserver

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// broker hands the latest site version to every open event stream. Each
// publish closes the channel subscribers wait on, so a slow tab never holds
// up the others and never queues stale versions.
type broker struct {
	mu      sync.Mutex
	version string
	changed chan struct{}
}

func (b *broker) init() { b.changed = make(chan struct{}) }

func (b *broker) current() (string, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.version, b.changed
}

func (b *broker) publish(version string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.version = version
	close(b.changed)
	b.changed = make(chan struct{})
}

// heartbeat keeps idle event streams from being closed by proxies and lets
// the server notice tabs that went away.
const heartbeat = 20 * time.Second

// serveEvents streams server-sent events: "hello" with the current version
// on connect (a tab whose page is older reloads, which covers a server
// restart and rebuilds made while it was connecting), then "reload" with
// each new version.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request, st *state) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	version, changed := s.events.current()
	if version == "" {
		version = st.version
	}
	// retry: reconnect quickly after a restart.
	if _, err := fmt.Fprintf(w, "retry: 500\nevent: hello\ndata: %s\n\n", version); err != nil {
		return
	}
	flusher.Flush()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		var err error
		select {
		case <-r.Context().Done():
			return
		case <-changed:
			version, changed = s.events.current()
			_, err = fmt.Fprintf(w, "event: reload\ndata: %s\n\n", version)
		case <-tick.C:
			_, err = fmt.Fprint(w, ": keep-alive\n\n")
		}
		if err != nil {
			return
		}
		flusher.Flush()
	}
}
