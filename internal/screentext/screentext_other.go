//go:build !(linux || freebsd || openbsd || netbsd || dragonfly || darwin || windows)

package screentext

import "context"

func read(context.Context, Source) (string, error) { return "", ErrUnsupported }
