package openai

import (
	"strings"

	"chorus/providers"
)

func init() {
	for _, f := range []flavor{openAI, infery} {
		providers.Register(providers.Registration{Info: f.info, Capabilities: f.caps, New: factory(f), Order: order[f.info.ID]})
	}
}

var order = map[string]int{"openai": 10, "infery": 20}

func factory(f flavor) providers.Factory {
	return func(cfg providers.Config) (providers.Provider, error) {
		return newProvider(f, cfg)
	}
}

// The formats of the contract's response_format enum, default first.
var allFormats = []string{"mp3", "opus", "aac", "flac", "wav", "pcm"}

func speedRange() providers.Range { return providers.Range{Min: 0.25, Max: 4, Default: 1} }

// classicVoices are the voices of tts-1 and tts-1-hd (the set Infery's
// guide lists for them; OpenAI's newer voices need gpt-4o-mini-tts).
var classicVoices = voiceList("alloy", "ash", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer")

// allVoices are the built-in voices the OpenAI spec describes. No endpoint
// lists them.
var allVoices = voiceList("alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse", "marin", "cedar")

func voiceList(ids ...string) []providers.Voice {
	var out []providers.Voice
	for _, id := range ids {
		if id != "" {
			out = append(out, providers.Voice{ID: id})
		}
	}
	return out
}

func containsTTS(id string) bool { return strings.Contains(strings.ToLower(id), "tts") }

var openAI = flavor{
	info: providers.Info{
		ID: "openai", Name: "OpenAI",
		Description:    "OpenAI text to speech: tts-1, tts-1-hd and gpt-4o-mini-tts with instructions",
		NeedsKey:       true,
		DefaultBaseURL: "https://api.openai.com/v1",
		Website:        "https://platform.openai.com/api-keys",
	},
	caps: providers.Capabilities{
		Models: []providers.Model{
			{ID: "gpt-4o-mini-tts", Name: "GPT-4o mini TTS", Instructions: true, Description: "steerable with instructions; streams with low latency"},
			// The dated snapshot the spec names; "model" is an open string,
			// so any other ID the account has is sent as typed.
			{ID: "gpt-4o-mini-tts-2025-12-15", Name: "GPT-4o mini TTS (2025-12-15)", Instructions: true, Description: "the 2025-12-15 snapshot of gpt-4o-mini-tts"},
			{ID: "tts-1", Name: "TTS-1", Description: "fast, low cost"},
			{ID: "tts-1-hd", Name: "TTS-1 HD", Description: "higher quality"},
		},
		Formats:           allFormats,
		DefaultSampleRate: 24000,
		Speed:             speedRange(),
		MaxChars:          4096,
		Streaming:         true,
	},
	voices: func(model string) []providers.Voice {
		if strings.HasPrefix(model, "tts-1") {
			return classicVoices
		}
		return allVoices
	},
	// "sse is not supported for tts-1 or tts-1-hd".
	sse:          func(model string) bool { return !strings.HasPrefix(model, "tts-1") },
	isTTS:        containsTTS,
	pcmRate:      24000,
	customVoices: true,
}

var infery = flavor{
	info: providers.Info{
		ID: "infery", Name: "Infery",
		Description:    "Infery gateway: OpenAI, Gemini and Qwen voices through one key",
		NeedsKey:       true,
		DefaultBaseURL: "https://api.infery.ai/v1",
		Website:        "https://docs.infery.ai",
	},
	caps: providers.Capabilities{
		Models: []providers.Model{
			{ID: "tts-1", Name: "TTS-1 (OpenAI)", Description: "fast, low cost"},
			{ID: "tts-1-hd", Name: "TTS-1 HD (OpenAI)", Description: "higher fidelity, about twice the cost"},
			{ID: "gemini-2-5-tts", Name: "Gemini 2.5 TTS", Description: "multilingual, 30+ languages"},
			{ID: "qwen-tts", Name: "Qwen TTS", Description: "multilingual incl. Chinese, Japanese, Korean; needs PRC opt-in"},
		},
		// The API reference enum lists mp3, opus, aac, flac; the prose adds
		// wav and pcm. Which model takes which is UNCONFIRMED, so all are
		// offered and a refusal comes back as the gateway's 400.
		Formats:           allFormats,
		DefaultSampleRate: 24000, // pcm is "raw 24kHz mono"; 16-bit is UNCONFIRMED
		Speed:             speedRange(),
		MaxChars:          4096, // OpenAI's limit; Infery states none (UNCONFIRMED)
		Streaming:         true,
	},
	voices: func(model string) []providers.Voice {
		switch model {
		case "gemini-2-5-tts":
			// The guide names no voices; its sample uses Kore. Others are
			// accepted as typed.
			return voiceList("Kore")
		case "qwen-tts":
			return nil // not listed: the user types a name
		}
		return voiceList("alloy", "echo", "onyx", "nova", "shimmer", "sage", "ash", "coral", "fable")
	},
	// Whether Infery passes stream_format through is UNCONFIRMED; its guide
	// streams the raw bytes, so Chorus never asks for SSE there.
	sse:     nil,
	isTTS:   containsTTS,
	pcmRate: 24000,
}
