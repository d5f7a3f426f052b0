package main

import "testing"

func TestAppVersionReadsFyneAppTOML(t *testing.T) {
	if got := appVersion("[Details]\nVersion = \"2.3.4\"\nBuild = 7\n"); got != "2.3.4" {
		t.Errorf("appVersion = %q, want 2.3.4", got)
	}
	if got := appVersion("not = [toml"); got != "dev" {
		t.Errorf("appVersion(broken) = %q, want dev", got)
	}
	if version == "dev" {
		t.Errorf("the embedded FyneApp.toml has no [Details] Version")
	}
}
