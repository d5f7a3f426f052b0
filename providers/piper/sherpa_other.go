//go:build darwin || windows

package piper

import sherpa "github.com/k2-fsa/sherpa-onnx-go/sherpa_onnx"

// The sherpa-onnx types and functions the engine uses; on macOS and Windows
// they come from the module that bundles those platforms' libraries.
type (
	offlineTts       = sherpa.OfflineTts
	offlineTtsConfig = sherpa.OfflineTtsConfig
)

var (
	newOfflineTts    = sherpa.NewOfflineTts
	deleteOfflineTts = sherpa.DeleteOfflineTts
)
