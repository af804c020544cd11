package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress draws one self-updating line on a terminal while a large site
// builds; on anything else (CI logs, pipes) it stays silent.
type progress struct {
	w     io.Writer
	mu    sync.Mutex
	last  time.Time
	shown bool
}

// progressMinPages is the size from which a build shows progress: smaller
// sites finish before a line would be readable.
const progressMinPages = 300

func (a *app) progressLine() *progress {
	f, ok := a.stderr.(*os.File)
	if !ok {
		return &progress{}
	}
	info, err := f.Stat()
	if err != nil || info.Mode()&os.ModeCharDevice == 0 {
		return &progress{}
	}
	return &progress{w: f}
}

func (p *progress) update(done, total int) {
	if p.w == nil || total < progressMinPages {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond && done < total {
		return
	}
	p.last = time.Now()
	p.shown = true
	fmt.Fprintf(p.w, "\rBuilding: %d/%d files (%d%%)", done, total, done*100/total)
}

func (p *progress) done() {
	if p.w != nil && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
