package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"isomer.dev/isomer/internal/check"
)

func (a *app) checkCommand() *cobra.Command {
	var (
		out           string
		failOn        string
		asJSON        bool
		maxFile       string
		maxImage      string
		heaviest      int
		external      bool
		externalRate  float64
		externalCache string
		externalAge   time.Duration
	)
	cmd := &cobra.Command{
		Use:   "check [SITE_DIR]",
		Short: "Build a site and report broken links, accessibility and safety problems",
		Long: `Check builds the site in SITE_DIR (default: the current folder) into a
temporary folder (or OUT_DIR with -o) and reports every problem at the source
file and line to edit, grouped by file:

  broken-link, broken-image, broken-anchor   internal references to nothing
                                             (with the likely fix: case, %20, /x/ vs /x.html)
  duplicate-permalink, orphan-page           pages that collide or that nothing reaches
  missing-alt, empty-link, vague-link-text,  accessibility of content
  heading-skip, table-no-header
  unsafe-html                                what the CMS sanitiser removes for safety
  file-too-large, image-too-large            files over the size budgets
  color-contrast                             configured colours that fail WCAG AA
  malformed-url, external-link               external URLs (over the network with --external)
  build                                      anything else the build reported

The heaviest pages (HTML plus the images they show) are listed after the
findings. The command exits with status 1 when there is a finding at or above
--fail-on (default: error), for use as a CI gate, and 2 when it cannot run.`,
		Example: `  isomer check examples/agency-site
  isomer check --fail-on warning --json > check.json
  isomer check --external --max-image-size 500KB`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src := "."
			if len(args) == 1 {
				src = args[0]
			}
			threshold, err := check.ParseSeverity(failOn)
			if err != nil {
				return fmt.Errorf("--fail-on: %w", err)
			}
			fileBudget, err := check.ParseSize(maxFile)
			if err != nil {
				return fmt.Errorf("--max-file-size: %w", err)
			}
			imageBudget, err := check.ParseSize(maxImage)
			if err != nil {
				return fmt.Errorf("--max-image-size: %w", err)
			}
			if externalRate <= 0 {
				return fmt.Errorf("--external-rate must be more than 0, not %g", externalRate)
			}
			if external && externalCache == "" {
				if dir, err := os.UserCacheDir(); err == nil {
					externalCache = filepath.Join(dir, "isomer", "external-links.json")
				}
			}
			rep, err := check.Run(cmd.Context(), check.Options{
				Source:       src,
				Output:       out,
				MaxFileSize:  fileBudget,
				MaxImageSize: imageBudget,
				Heaviest:     heaviest,
				Logger:       a.logger(),
				External: check.ExternalOptions{
					Enabled:   external,
					Rate:      externalRate,
					CacheFile: externalCache,
					MaxAge:    externalAge,
				},
			})
			if err != nil {
				return err
			}
			if asJSON {
				err = rep.WriteJSON(a.stdout, threshold)
			} else {
				err = rep.WriteText(a.stdout, threshold)
			}
			if err != nil {
				return err
			}
			if rep.Failed(threshold) {
				return errProblems
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "build into this folder and keep it (default: a temporary folder)")
	f.StringVar(&failOn, "fail-on", "error", "lowest severity that fails the check: error or warning")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	f.StringVar(&maxFile, "max-file-size", "5MB", "size budget for files other than images (0 turns it off)")
	f.StringVar(&maxImage, "max-image-size", "1MB", "size budget for images (0 turns it off)")
	f.IntVar(&heaviest, "heaviest", check.DefaultHeaviest, "how many of the heaviest pages to list")
	f.BoolVar(&external, "external", false, "also check external links over the network")
	f.Float64Var(&externalRate, "external-rate", 2, "most external requests per second")
	f.StringVar(&externalCache, "external-cache", "", "file caching external results (default: in the user cache folder)")
	f.DurationVar(&externalAge, "external-max-age", 24*time.Hour, "how long a cached external result is trusted")
	return cmd
}
