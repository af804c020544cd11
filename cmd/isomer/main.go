// Command isomer builds classic Isomer site repositories into static sites.
// Run "isomer --help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"isomer.dev/isomer/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
