//go:build windows

package screentext

import (
	"context"
	"os/exec"
)

// read uses PowerShell's Get-Clipboard; Windows has no selection apart from
// the clipboard.
func read(ctx context.Context, src Source) (string, error) {
	if src == Selection {
		return "", unsupported("Windows has no selection apart from the clipboard; copy the text and read the clipboard")
	}
	out, err := exec.CommandContext(ctx, "powershell", "-NoProfile", "-Command", "Get-Clipboard -Raw").Output()
	return string(out), err
}
