//go:build linux

package piper

import sherpa "github.com/k2-fsa/sherpa-onnx-go-linux"

// The sherpa-onnx types and functions the engine uses; on Linux they come
// from the module that bundles the Linux libraries.
type (
	offlineTts       = sherpa.OfflineTts
	offlineTtsConfig = sherpa.OfflineTtsConfig
)

var (
	newOfflineTts    = sherpa.NewOfflineTts
	deleteOfflineTts = sherpa.DeleteOfflineTts
)
