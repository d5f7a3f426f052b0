package providers_test

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoProviderReadsSettings: no package under providers/ imports
// chorus/settings or anything below it: not in its tests, and not in its
// code, directly or through another chorus package. Saved references, keys and profiles
// are resolved by core and handed over in the Request and Config.
func TestNoProviderReadsSettings(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ctx := build.Default
	ctx.BuildTags = append(ctx.BuildTags, "migrated_fynedo")
	const module, banned = "chorus", "chorus/settings"
	imports := map[string][]string{} // chorus package -> its chorus imports (code only)
	var load func(pkg string, tests bool) []string
	load = func(pkg string, tests bool) []string {
		if !tests {
			if v, ok := imports[pkg]; ok {
				return v
			}
		}
		dir := filepath.Join(root, strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/"))
		bp, err := ctx.ImportDir(dir, build.ImportComment)
		if err != nil {
			if _, ok := err.(*build.NoGoError); !ok {
				t.Fatalf("%s: %v", pkg, err)
			}
		}
		var out []string
		all := bp.Imports
		if tests {
			all = append(append(append([]string{}, all...), bp.TestImports...), bp.XTestImports...)
		}
		for _, imp := range all {
			if imp == module || strings.HasPrefix(imp, module+"/") {
				out = append(out, imp)
			}
		}
		if !tests {
			imports[pkg] = out
		}
		return out
	}
	checked := 0
	err = filepath.WalkDir(filepath.Join(root, "providers"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if m, _ := filepath.Glob(filepath.Join(path, "*.go")); len(m) == 0 {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		start := module + "/" + filepath.ToSlash(rel)
		// Its tests may use core (integration tests), so only what they
		// import themselves is checked.
		for _, imp := range load(start, true) {
			if imp == banned || strings.HasPrefix(imp, banned+"/") {
				t.Errorf("%s or its tests import %s; providers take what they need from the Request and Config", start, imp)
			}
		}
		// Walk the chorus packages its code reaches, remembering one path
		// to each.
		via := map[string]string{start: start}
		queue := []string{start}
		for len(queue) > 0 {
			pkg := queue[0]
			queue = queue[1:]
			for _, imp := range load(pkg, false) {
				if _, seen := via[imp]; seen {
					continue
				}
				via[imp] = via[pkg] + " → " + imp
				if imp == banned || strings.HasPrefix(imp, banned+"/") {
					t.Errorf("%s reaches %s (%s); providers take what they need from the Request and Config", start, imp, via[imp])
					continue
				}
				queue = append(queue, imp)
			}
		}
		checked++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 5 {
		t.Fatalf("only %d packages under providers/ were checked", checked)
	}
	if _, err := os.Stat(filepath.Join(root, "settings", "references")); err != nil {
		t.Fatalf("the test looks for chorus/settings in the wrong place: %v", err)
	}
}
