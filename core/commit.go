package core

import (
	"fmt"
	"time"
	"unicode/utf8"

	"chorus/audio"
	"chorus/cache"
	"chorus/export"
	"chorus/providers"
)

// commit finishes a job that played or encoded to its end: the export
// file is put in place, then the subtitles, the sidecar and the history
// entry are written.
func (e *Engine) commit(job *Job, p providers.Provider, store *cache.Store, req providers.Request, res *Result, out *outputs, states []*chunkState, timings []ChunkTiming) error {
	if plan := out.plan; plan != nil {
		if plan.raw {
			if _, err := plan.file.Write(states[0].buf.Bytes()); err != nil {
				return fmt.Errorf("writing %s: %w", job.Out, err)
			}
			if plan.enc == audio.WAV {
				if err := export.FixWAVSizes(plan.file.File); err != nil {
					return fmt.Errorf("writing %s: %w", job.Out, err)
				}
			}
		}
		if err := plan.file.Commit(); err != nil {
			return err
		}
	}
	if job.Subtitles != "" {
		if err := writeSubtitles(job, req.Text, states, timings); err != nil {
			return err
		}
	}
	if job.Sidecar {
		if err := writeSidecar(job, req, res, states, timings, out.perChunk); err != nil {
			return err
		}
	}
	if store != nil && p != nil {
		keys := make([]cache.Key, len(states))
		var took time.Duration
		chars := 0
		for i, st := range states {
			keys[i] = st.key
			if d := st.fetchTime(); !st.cached && d > 0 {
				took += d
				chars += utf8.RuneCountInString(st.req.Text)
			}
		}
		_, _ = store.AddClip(cache.Clip{Text: req.Text, Provider: job.Provider, BaseURL: job.BaseURL, Model: req.Model,
			Voice: req.Voice, Format: req.Format, Speed: req.Speed, Language: req.Language, Options: req.Options,
			Duration: time.Duration(res.Stats.AudioSeconds * float64(time.Second)), Chunks: keys, Out: job.Out,
			CacheHits: res.Stats.CacheHits, SynthTime: took, SynthChars: chars})
	}
	return nil
}
