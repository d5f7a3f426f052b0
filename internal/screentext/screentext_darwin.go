//go:build darwin

package screentext

import (
	"context"
	"os/exec"

	"chorus/internal/childenv"
)

// read uses pbpaste; macOS has no selection separate from the clipboard.
func read(ctx context.Context, src Source) (string, error) {
	if src == Selection {
		return "", unsupported("macOS has no selection apart from the clipboard; copy the text and read the clipboard")
	}
	cmd := exec.CommandContext(ctx, "pbpaste")
	cmd.Env = childenv.Environ()
	out, err := cmd.Output()
	return string(out), err
}
