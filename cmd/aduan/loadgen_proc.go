package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// serveProc is an `aduan serve` process that loadgen or chaos started: this
// binary, with its own environment, logging to a file.
type serveProc struct {
	name     string
	env      map[string]string
	httpAddr string
	logPath  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// serveBinary is the program run as `aduan serve`: this one (tests run their
// own binary, which acts as aduan when ADUAN_TEST_MAIN is set).
var serveBinary = os.Executable

func newServeProc(name string, env map[string]string, logPath string) *serveProc {
	return &serveProc{name: name, env: env, httpAddr: env["ADUAN_HTTP_ADDR"], logPath: logPath}
}

// start runs the process with extra arguments after "serve" and waits until
// /readyz answers 200.
func (p *serveProc) start(ctx context.Context, wait time.Duration, args ...string) error {
	bin, err := serveBinary()
	if err != nil {
		return err
	}
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Env = mergeEnv(os.Environ(), p.env)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return fmt.Errorf("starting %s: %w", p.name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = logf.Close(); close(done) }()
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
	return p.waitReady(ctx, wait)
}

// waitReady polls /readyz until it answers 200 or wait is over.
func (p *serveProc) waitReady(ctx context.Context, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		p.mu.Lock()
		done := p.done
		p.mu.Unlock()
		select {
		case <-done:
			return fmt.Errorf("%s exited at start; its log: %s\n%s", p.name, p.logPath, tail(p.logPath, 20))
		default:
		}
		resp, err := client.Get("http://" + p.httpAddr + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s; its log: %s\n%s", p.name, wait, p.logPath, tail(p.logPath, 20))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (p *serveProc) pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// signal sends sig and waits up to wait for the process to end, then kills it.
func (p *serveProc) signal(sig syscall.Signal, wait time.Duration) {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(wait):
		_ = cmd.Process.Kill()
		<-done
	}
}

// kill ends the process at once (kill -9): no shutdown, no flush.
func (p *serveProc) kill() { p.signal(syscall.SIGKILL, 10*time.Second) }

// stop shuts the process down gracefully.
func (p *serveProc) stop() { p.signal(syscall.SIGTERM, 30*time.Second) }

// mergeEnv returns base with the keys of over replaced or added.
func mergeEnv(base []string, over map[string]string) []string {
	out := make([]string, 0, len(base)+len(over))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := over[k]; !ok {
			out = append(out, kv)
		}
	}
	keys := make([]string, 0, len(over))
	for k := range over {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, k+"="+over[k])
	}
	return out
}

// tail returns the last n lines of the file at path.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// freeLoopbackAddr returns a loopback address with a port free right now.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// procStats is what /proc tells of a process: CPU time used (user and
// system) and resident memory now and at its peak.
type procStats struct {
	CPU      time.Duration
	RSS, HWM int64 // bytes
}

// clockTicks is USER_HZ, which Linux fixes at 100 for /proc/<pid>/stat.
const clockTicks = 100

func readProc(pid int) (procStats, error) {
	var s procStats
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return s, err
	}
	// The command name may hold spaces and parentheses: fields count from
	// the last ")"; utime and stime are fields 14 and 15.
	i := strings.LastIndexByte(string(stat), ')')
	f := strings.Fields(string(stat[i+1:]))
	if i < 0 || len(f) < 13 {
		return s, errors.New("unexpected /proc stat format")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return s, err
	}
	s.CPU = time.Duration(utime+stime) * time.Second / clockTicks
	status, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return s, err
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return s, fmt.Errorf("/proc status %s: %w", k, err)
		}
		if k == "VmRSS" {
			s.RSS = kb << 10
		} else {
			s.HWM = kb << 10
		}
	}
	return s, nil
}

// procWatch samples a process's resident memory while a run lasts, for its
// peak under load (VmHWM also counts the start-up).
type procWatch struct {
	pid   int
	first procStats
	stop  chan struct{}
	done  chan struct{}
	peak  int64
}

func watchProc(pid int) (*procWatch, error) {
	first, err := readProc(pid)
	if err != nil {
		return nil, err
	}
	w := &procWatch{pid: pid, first: first, stop: make(chan struct{}), done: make(chan struct{}), peak: first.RSS}
	go func() {
		defer close(w.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				if s, err := readProc(pid); err == nil && s.RSS > w.peak {
					w.peak = s.RSS
				}
			}
		}
	}()
	return w, nil
}

// finish stops sampling and describes the process over the run.
func (w *procWatch) finish(span time.Duration) string {
	close(w.stop)
	<-w.done
	last, err := readProc(w.pid)
	if err != nil {
		return fmt.Sprintf("serve (pid %d): %v", w.pid, err)
	}
	cpu := last.CPU - w.first.CPU
	return fmt.Sprintf("serve (pid %d): CPU %.2f s over %.1f s (%.0f%% of one core); RSS idle %s, peak under load %s, now %s (VmHWM %s)",
		w.pid, cpu.Seconds(), span.Seconds(), 100*cpu.Seconds()/span.Seconds(),
		mib(w.first.RSS), mib(w.peak), mib(last.RSS), mib(last.HWM))
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// loadAverage is /proc/loadavg's first three figures.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
