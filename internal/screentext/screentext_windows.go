//go:build windows

package screentext

import (
	"context"
	"os/exec"

	"chorus/internal/childenv"
)

// read uses PowerShell's Get-Clipboard; Windows has no selection apart from
// the clipboard.
func read(ctx context.Context, src Source) (string, error) {
	if src == Selection {
		return "", unsupported("Windows has no selection apart from the clipboard; copy the text and read the clipboard")
	}
	cmd := exec.CommandContext(ctx, "powershell", "-NoProfile", "-Command", "Get-Clipboard -Raw")
	cmd.Env = childenv.Environ()
	out, err := cmd.Output()
	return string(out), err
}
