package httpx

import (
	"chorus/audio"
	"chorus/audio/codec"
)

// headSize is how many bytes of a response are read and checked before the
// caller gets the stream: every container magic number, and the 36 bytes
// codec.CheckAudio needs to tell Ogg Opus from other Ogg streams.
const headSize = 64

// checkAudio reports, in words, why head cannot be the start of claimed
// audio; an empty claimed (the container is not known yet) only rules out
// an empty body and text. The sniffing itself is codec's.
func checkAudio(head []byte, claimed audio.Encoding) error {
	return codec.CheckAudio(head, claimed)
}

// textKind names what head holds when it is text, or "" (codec.TextKind).
func textKind(head []byte) string { return codec.TextKind(head) }
