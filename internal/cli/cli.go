// Package cli is the isomer command line: it parses flags into options and
// calls the packages that do the work. Each command lives in its own file.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK       = 0
	exitProblems = 1 // the site has errors (or warnings under --strict)
	exitFailure  = 2 // bad usage, or the command itself failed
)

// errProblems marks a run that finished but found problems in the site; the
// problems were already printed.
var errProblems = errors.New("the site has problems")

// app carries what every command needs; nothing is global.
type app struct {
	stdout, stderr io.Writer
	verbose        bool
}

func (a *app) logger() *slog.Logger {
	level := slog.LevelWarn
	if a.verbose {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
}

// Run executes the command line args and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "isomer",
		Short: "Build Isomer sites into fast, accessible static websites",
		Long: `isomer builds a classic Isomer site repository (the Jekyll format with
_config.yml, _data/navigation.yml, collections and a resource room) into a
static website, unchanged.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().BoolVarP(&a.verbose, "verbose", "v", false, "log progress details")
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(args)
	root.AddCommand(a.serveCommand(), a.buildCommand(), a.checkCommand(), a.studioCommand(), a.versionCommand())

	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errProblems):
		return exitProblems
	default:
		fmt.Fprintf(stderr, "isomer: %v\n", err)
		return exitFailure
	}
}
