package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Commit is the source revision, set at link time with
// -ldflags "-X chorus/cli.Commit=…"; when empty, the VCS revision Go records
// in the build info is used.
var Commit string

// VersionText is what `chorus --version` prints: Chorus's version, the
// commit, and the Go and Fyne versions it was built with.
func VersionText() string {
	commit, modified := Commit, false
	fyneVersion := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && commit == "":
				commit = s.Value
			case s.Key == "vcs.modified" && s.Value == "true":
				modified = true
			}
		}
		for _, d := range bi.Deps {
			if d.Path == "fyne.io/fyne/v2" {
				fyneVersion = d.Version
				if d.Replace != nil {
					fyneVersion = d.Replace.Version
				}
			}
		}
	}
	if commit == "" {
		commit = "unknown"
	} else if len(commit) > 12 {
		commit = commit[:12]
	}
	if modified && Commit == "" {
		commit += " (modified)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "chorus %s\n", Version)
	fmt.Fprintf(&b, "commit: %s\n", commit)
	fmt.Fprintf(&b, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "fyne: %s\n", fyneVersion)
	return b.String()
}
