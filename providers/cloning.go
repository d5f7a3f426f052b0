package providers

// The Request.Options keys through which a user names the voice to clone,
// on any provider with Capabilities.Cloning. Core turns them into
// Request.Reference and removes them before the provider is called, so a
// provider never reads a file or the saved references itself.
const (
	OptionReference     = "reference"      // name of a saved reference
	OptionReferenceFile = "reference_file" // path of a WAV, MP3 or FLAC recording to clone
	OptionReferenceText = "reference_text" // the exact transcript of that recording
)

// ReferenceOptions describes the reference options for the front ends
// (the GUI's Advanced area, --option). A provider with Capabilities.Cloning
// lists them among its Capabilities.Options.
func ReferenceOptions() []Option {
	return []Option{
		{Key: OptionReferenceFile, Label: "Reference audio", Help: "a WAV, MP3 or FLAC of the voice to clone; 10–30 s works best"},
		{Key: OptionReferenceText, Label: "Reference transcript", Help: "exactly what is said in the reference audio"},
		{Key: OptionReference, Label: "Saved reference", Help: "name of a saved reference voice"},
	}
}
