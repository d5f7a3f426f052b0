package core

import (
	"fmt"
	"strings"

	"chorus/audio"
	"chorus/providers"
	"chorus/settings/references"
)

// References is the store saved references (providers.OptionReference)
// are read from; tests replace it.
var References = references.Default

// referenceKeys are the options resolveReference turns into
// Request.Reference.
var referenceKeys = []string{providers.OptionReference, providers.OptionReferenceFile, providers.OptionReferenceText}

// resolveReference turns the reference options of req into req.Reference
// and removes them, so the provider is handed the recording and never
// reads a file or the saved references itself. The recording comes from
// a file with its transcript (OptionReferenceFile and OptionReferenceText)
// or from the saved reference named by OptionReference. advice is what to
// tell the user about a recording outside the recommended 10 to 30 seconds
// (it is sent all the same), else "". A reference for a provider without
// Capabilities.Cloning is refused, naming the providers that can clone.
func resolveReference(id string, req providers.Request, caps providers.Capabilities) (providers.Request, string, error) {
	o := req.Options
	file, text, name := o[providers.OptionReferenceFile], strings.TrimSpace(o[providers.OptionReferenceText]), o[providers.OptionReference]
	present := false
	for _, k := range referenceKeys {
		if _, ok := o[k]; ok {
			present = true
		}
	}
	if !present && req.Reference == nil {
		return req, "", nil
	}
	if !caps.Cloning && (req.Reference != nil || file != "" || text != "" || name != "") {
		return req, "", cannotClone(id)
	}
	if present {
		opts := make(map[string]string, len(o))
		for k, v := range o {
			opts[k] = v
		}
		for _, k := range referenceKeys {
			delete(opts, k)
		}
		req.Options = opts
	}
	if req.Reference != nil {
		if file != "" || text != "" || name != "" {
			return req, "", providers.Invalid(id, "the request has a reference recording and reference options; give one, not both")
		}
		return req, "", checkReference(id, req.Reference)
	}
	advice := ""
	switch {
	case file != "" && name != "":
		return req, "", providers.Invalid(id, "give a reference file or a saved reference, not both")
	case name != "":
		if text != "" {
			return req, "", providers.Invalid(id, "the saved reference %q has its own transcript; drop reference_text", name)
		}
		saved, err := References().Get(name)
		if err != nil {
			return req, "", &providers.Error{Provider: id, Kind: providers.KindValidation, Message: err.Error(),
				Hint: "list them with `chorus references list`"}
		}
		data, err := saved.Audio()
		if err != nil {
			return req, "", providers.Invalid(id, "%v", err)
		}
		req.Reference = &providers.Reference{Audio: data, Encoding: audio.Encoding(saved.Encoding), Transcript: saved.Transcript}
	case file != "":
		if text == "" {
			return req, "", &providers.Error{Provider: id, Kind: providers.KindValidation,
				Message: "a reference recording needs its exact transcript",
				Hint:    "set reference_text (--reference-text) to what is said in " + file}
		}
		// Any length is sent: 10–30 s is a recommendation, so a
		// recording outside it gets advice, not an error.
		data, enc, dur, err := references.Read(file)
		if err != nil {
			return req, "", &providers.Error{Provider: id, Kind: providers.KindValidation, Message: err.Error(),
				Hint: fmt.Sprintf("use a WAV, MP3 or FLAC of %d to %d seconds of one clean voice",
					int(references.MinDuration.Seconds()), int(references.MaxDuration.Seconds()))}
		}
		req.Reference = &providers.Reference{Audio: data, Encoding: enc, Transcript: text}
		advice = references.Advice(file, dur)
	case text != "":
		return req, "", providers.Invalid(id, "reference_text was given without reference_file; add the recording it transcribes")
	default:
		return req, "", nil // the options were there, all empty
	}
	return req, advice, checkReference(id, req.Reference)
}

// checkReference refuses a reference without audio or transcript.
func checkReference(id string, r *providers.Reference) error {
	if len(r.Audio) == 0 {
		return providers.Invalid(id, "the reference has no audio; give a WAV, MP3 or FLAC recording of the voice to clone")
	}
	if strings.TrimSpace(r.Transcript) == "" {
		return providers.Invalid(id, "the reference needs the exact transcript of its recording")
	}
	return nil
}

// cannotClone is the error for a reference given to a provider without
// Capabilities.Cloning: it names the providers that can clone.
func cannotClone(id string) error {
	name := id
	var can []string
	for _, r := range providers.List() {
		if r.ID == id {
			if r.Name != "" {
				name = r.Name
			}
			continue
		}
		if r.Capabilities.Cloning {
			can = append(can, r.ID)
		}
	}
	hint := "remove the reference to speak with one of its own voices"
	if len(can) > 0 {
		hint = "choose a provider that can (" + strings.Join(can, ", ") + "), or " + hint
	}
	return &providers.Error{Provider: id, Kind: providers.KindValidation,
		Message: name + " cannot clone a voice from a reference recording", Hint: hint}
}
