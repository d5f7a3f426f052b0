// Chorus is a desktop text-to-speech studio: type and listen, compare voices
// side by side, and export audio files. With no arguments it opens the
// window; with a command (speak, voices, keys, ...) it runs the CLI on the
// same core.
package main

import (
	"context"
	"fmt"
	"os"

	"chorus/cache"
	"chorus/cli"
	"chorus/core"
	_ "chorus/providers/all"
	"chorus/settings"
	"chorus/settings/keys"
	"chorus/ui"
)

func main() {
	settings.DefaultProfiles().RegisterAll(func(msg string) { fmt.Fprintln(os.Stderr, "chorus:", msg) })
	store := keys.NewDefault()
	engine := &core.Engine{Keys: store.Key}
	if c, err := cache.OpenDefault(); err == nil {
		engine.Cache = c // replays and re-exports cost nothing; see `chorus history`
	} else {
		fmt.Fprintf(os.Stderr, "chorus: the audio cache is off (%v); every request will be sent\n", err)
	}
	cli.Version = version
	ui.Version = version
	if len(os.Args) > 1 {
		os.Exit(cli.Run(context.Background(), cli.DefaultEnv(engine), os.Args[1:]))
	}
	if cli.HandOverLaunch() {
		return // the running Chorus shows its window instead
	}
	startDesktop(engine)
	ui.Run(engine, store)
}
