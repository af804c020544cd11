//go:build !unix

package studio

import "os"

// lockDataDir is a no-op where flock is unavailable: run one Studio per
// data folder there.
func lockDataDir(dir string) (*os.File, error) { return nil, nil }
