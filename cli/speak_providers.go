package cli

import (
	"flag"

	"chorus/core"
	"chorus/providers"
)

func init() {
	ExtendSpeak(referenceFlags)
}

// referenceFlags adds instant voice cloning to `chorus speak`:
//
//	--reference FILE --reference-text TEXT   clone from a recording
//	--reference-name NAME                    use a saved reference
//	all three                                save FILE as NAME, then use it
//
// They become the reference options (providers.OptionReference…), which
// core reads into Request.Reference; it refuses them for a provider
// without cloning and notes a recording outside 10–30 s.
func referenceFlags(fs *flag.FlagSet) func(job *core.Job) error {
	file := fs.String("reference", "", "clone the voice of this WAV/MP3/FLAC recording, 10–30 s clones best (with --reference-text)")
	text := fs.String("reference-text", "", "exact transcript of the --reference recording")
	name := fs.String("reference-name", "", "use the saved reference NAME; with --reference, save the recording under NAME first")
	return func(job *core.Job) error {
		if *file == "" && *text == "" && *name == "" {
			return nil
		}
		if *text != "" && *file == "" {
			return usageErr("--reference-text needs --reference FILE")
		}
		if *file != "" && *text == "" {
			return usageErr("--reference needs --reference-text with the exact words spoken in %s", *file)
		}
		opts := map[string]string{}
		for k, v := range job.Request.Options {
			opts[k] = v
		}
		switch {
		case *file != "" && *name != "":
			if _, err := core.References().Save(*name, *file, *text); err != nil {
				return usageErr("cannot save the reference %q: %v", *name, err)
			}
			opts[providers.OptionReference] = *name
		case *name != "":
			opts[providers.OptionReference] = *name
		default:
			opts[providers.OptionReferenceFile] = *file
			opts[providers.OptionReferenceText] = *text
		}
		job.Request.Options = opts
		return nil
	}
}
