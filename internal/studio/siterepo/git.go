package siterepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// gitError carries what git said; it is wrapped, never shown raw to site editors.
type gitError struct {
	Args     []string
	ExitCode int
	Stderr   string
	Err      error
}

func (e *gitError) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("git %s: %s", strings.Join(e.Args, " "), msg)
}

func (e *gitError) Unwrap() error { return e.Err }

// exitCode reports the git exit status of err, or -1 when err is not an exit.
func exitCode(err error) int {
	var ge *gitError
	if errors.As(err, &ge) {
		return ge.ExitCode
	}
	return -1
}

// gitEnv builds an environment in which nothing from the host's git setup
// (global/system config, attributes, excludes, GIT_* variables inherited from
// a hook or a test runner) can change how objects are written or read.
func gitEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GIT_") || k == "HOME" || k == "XDG_CONFIG_HOME" || k == "LANG" || strings.HasPrefix(k, "LC_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_ATTR_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_LITERAL_PATHSPECS=1",
		// ext:: and other exotic transports could run commands; Import only needs these.
		"GIT_ALLOW_PROTOCOL=file:git:http:https:ssh",
		"HOME="+os.DevNull,
		"XDG_CONFIG_HOME="+os.DevNull,
		"LC_ALL=C",
	)
	return append(env, extra...)
}

// baseArgs are -c options applied to every call: durable writes (crash
// safety relies on objects and refs reaching disk before we report success)
// and no user-level attribute or ignore files.
func baseArgs() []string {
	return []string{
		"-c", "core.fsync=objects,reference",
		"-c", "core.fsyncMethod=fsync",
		"-c", "core.attributesFile=" + os.DevNull,
		"-c", "core.excludesFile=" + os.DevNull,
		"-c", "core.hooksPath=" + os.DevNull,
		"-c", "gc.auto=0",
	}
}

// runGit runs git with gitDir (if non-empty) and returns stdout.
func runGit(ctx context.Context, gitDir string, stdin []byte, env []string, args ...string) ([]byte, error) {
	full := baseArgs()
	if gitDir != "" {
		full = append(full, "--git-dir="+gitDir)
	}
	full = append(full, args...)
	cmd := exec.CommandContext(ctx, "git", full...)
	cmd.Env = gitEnv(env)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("git %s: %w", args[0], ctx.Err())
		}
		ge := &gitError{Args: args, ExitCode: -1, Stderr: stderr.String(), Err: err}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			ge.ExitCode = ee.ExitCode()
		}
		return stdout.Bytes(), ge
	}
	return stdout.Bytes(), nil
}
