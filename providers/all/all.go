// Package all links every built-in provider into the binary; import it for
// its side effects.
package all

import (
	_ "chorus/providers/airefinery" // Accenture AI Refinery
	_ "chorus/providers/elevenlabs" // ElevenLabs, with word timings
	_ "chorus/providers/fishaudio"  // Fish Audio, with instant voice cloning
	_ "chorus/providers/local"      // espeak-ng, the offline default
	_ "chorus/providers/openai"     // OpenAI, Infery and custom OpenAI-compatible endpoints
	_ "chorus/providers/piper"      // Piper neural voices on this computer (sherpa-onnx)
	_ "chorus/providers/smallest"   // Smallest AI Waves (Lightning v3.1)
	_ "chorus/providers/voiceai"    // Voice.ai
)
