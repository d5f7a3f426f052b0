// Package all links every built-in provider into the binary; import it for
// its side effects.
package all

import (
	_ "chorus/providers/local" // espeak-ng, the offline default
)
