package main

import (
	_ "embed"

	"github.com/BurntSushi/toml"
)

//go:embed FyneApp.toml
var fyneAppTOML string

// version is FyneApp.toml's [Details] Version: one place to bump it.
var version = appVersion(fyneAppTOML)

// appVersion reads the version from FyneApp.toml's text, or "dev" when it
// cannot be read (a broken file must not stop Chorus from starting).
func appVersion(text string) string {
	var meta struct {
		Details struct{ Version string }
	}
	if _, err := toml.Decode(text, &meta); err != nil || meta.Details.Version == "" {
		return "dev"
	}
	return meta.Details.Version
}
