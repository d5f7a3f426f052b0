package airefinery

import "chorus/providers"

// DefaultVoice is used when a request names none (the docs' example voice).
const DefaultVoice = "en-US-JennyNeural"

// catalog holds common Azure neural voices: short name, gender. The locale
// is the name's prefix. The service takes any Azure voice name.
var catalog = []struct{ id, gender string }{
	{"en-US-JennyNeural", "female"}, {"en-US-GuyNeural", "male"}, {"en-US-AriaNeural", "female"},
	{"en-US-DavisNeural", "male"}, {"en-US-AvaNeural", "female"}, {"en-US-AndrewNeural", "male"},
	{"en-US-EmmaNeural", "female"}, {"en-US-BrianNeural", "male"},
	{"en-GB-SoniaNeural", "female"}, {"en-GB-RyanNeural", "male"}, {"en-GB-LibbyNeural", "female"},
	{"en-AU-NatashaNeural", "female"}, {"en-AU-WilliamNeural", "male"},
	{"en-CA-ClaraNeural", "female"}, {"en-CA-LiamNeural", "male"},
	{"en-IN-NeerjaNeural", "female"}, {"en-IN-PrabhatNeural", "male"},
	{"fr-FR-DeniseNeural", "female"}, {"fr-FR-HenriNeural", "male"}, {"fr-CA-SylvieNeural", "female"},
	{"de-DE-KatjaNeural", "female"}, {"de-DE-ConradNeural", "male"},
	{"es-ES-ElviraNeural", "female"}, {"es-ES-AlvaroNeural", "male"},
	{"es-MX-DaliaNeural", "female"}, {"es-MX-JorgeNeural", "male"},
	{"it-IT-ElsaNeural", "female"}, {"it-IT-DiegoNeural", "male"},
	{"pt-BR-FranciscaNeural", "female"}, {"pt-BR-AntonioNeural", "male"}, {"pt-PT-RaquelNeural", "female"},
	{"nl-NL-ColetteNeural", "female"}, {"nl-NL-MaartenNeural", "male"},
	{"sv-SE-SofieNeural", "female"}, {"sv-SE-MattiasNeural", "male"},
	{"pl-PL-ZofiaNeural", "female"}, {"pl-PL-MarekNeural", "male"},
	{"ru-RU-SvetlanaNeural", "female"}, {"ru-RU-DmitryNeural", "male"},
	{"tr-TR-EmelNeural", "female"}, {"tr-TR-AhmetNeural", "male"},
	{"ar-SA-ZariyahNeural", "female"}, {"ar-SA-HamedNeural", "male"},
	{"hi-IN-SwaraNeural", "female"}, {"hi-IN-MadhurNeural", "male"},
	{"ja-JP-NanamiNeural", "female"}, {"ja-JP-KeitaNeural", "male"},
	{"ko-KR-SunHiNeural", "female"}, {"ko-KR-InJoonNeural", "male"},
	{"zh-CN-XiaoxiaoNeural", "female"}, {"zh-CN-YunxiNeural", "male"},
}

// Catalog returns the shipped voices with locale and gender.
func Catalog() []providers.Voice {
	out := make([]providers.Voice, len(catalog))
	for i, v := range catalog {
		name := v.id[len(voiceLocale(v.id))+1:]
		name = name[:len(name)-len("Neural")]
		out[i] = providers.Voice{ID: v.id, Name: name, Language: voiceLocale(v.id), Gender: v.gender}
	}
	return out
}
