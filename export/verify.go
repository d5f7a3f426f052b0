package export

import (
	"fmt"
	"os"

	"chorus/audio"
	"chorus/audio/codec"
)

// ErrCorrupt marks audio that failed verification at Commit: nothing was
// saved.
var ErrCorrupt = fmt.Errorf("the audio is corrupt")

// verify decodes the temporary file as the format its target's extension
// names; files whose extension is not an audio format are not checked. A
// corrupt stream, or one with no audio, fails, so it is never saved.
func (f *File) verify() error {
	if f.noVerify {
		return nil
	}
	format, ok := codec.ByExtension(f.target)
	if !ok {
		return nil
	}
	r, err := os.Open(f.Name())
	if err != nil {
		return fmt.Errorf("checking %s: %w", f.target, err)
	}
	defer r.Close()
	if _, err := codec.Verify(r, format.Encoding, f.hint); err != nil {
		return fmt.Errorf("%w, so %s was not saved: %v", ErrCorrupt, f.target, err)
	}
	return nil
}

// SetFormat gives the rate and channel count of headerless audio (raw PCM,
// mu-law, A-law) so Commit can check it; other formats carry their own.
func (f *File) SetFormat(hint audio.Format) { f.hint = hint }

// SkipVerify turns off the check at Commit, for callers that write
// something other than what the extension names on purpose.
func (f *File) SkipVerify() { f.noVerify = true }
