package core

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/player"
	"chorus/providers"
	"chorus/providers/httpx"
)

// PreviewLine is what Chorus says to preview a voice that has no sample
// hosted by its provider.
const PreviewLine = "Hello! This is how I sound. I can read anything you type, from a line to a book."

// maxPreviewBytes bounds a hosted sample (a few seconds of MP3).
const maxPreviewBytes = 16 << 20

// Preview plays a short sample of voice v: the provider's own sample when
// it hosts one (Voice.PreviewURL, fetched without any key), else
// PreviewLine spoken in that voice through the one pipeline, so it is
// cached and paid for once. sink nil means the sound device. hosted says
// which of the two was played.
func (e *Engine) Preview(ctx context.Context, provider, baseURL, model string, v providers.Voice, sink player.Sink) (res *Result, hosted bool, err error) {
	if v.PreviewURL != "" {
		res, err := e.playHosted(ctx, provider, v, sink)
		return res, true, err
	}
	res, err = e.Speak(ctx, Job{Provider: provider, BaseURL: baseURL, Play: true, Sink: sink,
		Request: providers.Request{Text: PreviewLine, Voice: v.ID, Model: model}})
	return res, false, err
}

// playHosted fetches and plays a sample the provider hosts.
func (e *Engine) playHosted(ctx context.Context, provider string, v providers.Voice, sink player.Sink) (*Result, error) {
	u, err := url.Parse(v.PreviewURL)
	if err == nil {
		err = httpx.CheckURL(u, false)
	}
	if err != nil {
		return nil, providers.Invalid(provider, "the sample of voice %s has an unusable address: %v", v.ID, err)
	}
	client := e.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := client.Do(req) // no key: the sample is public
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &providers.Error{Provider: provider, Kind: providers.KindNetwork,
			Message: "could not fetch the voice's sample: " + err.Error(), Hint: "check the connection and try again"}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &providers.Error{Provider: provider, Kind: httpx.KindForStatus(resp.StatusCode), Status: resp.StatusCode,
			Message: fmt.Sprintf("the voice's sample is not available (HTTP %d)", resp.StatusCode), Hint: "preview another voice, or speak a line in this one"}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPreviewBytes+1))
	if err != nil {
		return nil, &providers.Error{Provider: provider, Kind: providers.KindCutStream, Message: "the voice's sample was cut off: " + err.Error()}
	}
	if len(data) > maxPreviewBytes {
		return nil, &providers.Error{Provider: provider, Kind: providers.KindNotAudio, Message: "the voice's sample is too large to be a sample"}
	}
	enc, ok := codec.Sniff(data[:min(len(data), 64)])
	if !ok {
		return nil, &providers.Error{Provider: provider, Kind: providers.KindNotAudio, Message: "the voice's sample is not audio Chorus can play"}
	}
	src, err := codec.NewDecoder(bytes.NewReader(data), enc, audio.Format{})
	if err != nil {
		return nil, &providers.Error{Provider: provider, Kind: providers.KindNotAudio, Message: "the voice's sample cannot be decoded: " + err.Error()}
	}
	if sink == nil {
		if sink, err = e.Sink(); err != nil {
			return nil, err
		}
	}
	if err := player.Play(ctx, src, sink); err != nil {
		return nil, err
	}
	return &Result{Stats: Stats{TTFBMs: float64(time.Since(start).Milliseconds())}}, nil
}
