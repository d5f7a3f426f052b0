package elevenlabs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/coder/websocket"

	"chorus/audio"
	"chorus/providers"
	"chorus/providers/httpx"
)

// wsInit is the first client message of stream-input: text must be a
// single space; settings are only taken here.
type wsInit struct {
	Text          string         `json:"text"`
	VoiceSettings *voiceSettings `json:"voice_settings,omitempty"`
}

// wsText is every later client message; {"text": ""} ends the input.
type wsText struct {
	Text  string `json:"text"`
	Flush bool   `json:"flush,omitempty"`
}

// wsMessage is one server message. The error shape of the socket is not
// documented (UNCONFIRMED); "error" and "message" are read in case.
type wsMessage struct {
	Audio      *string      `json:"audio"`
	IsFinal    *bool        `json:"isFinal"`
	Alignment  *wsAlignment `json:"alignment"`
	Normalized *wsAlignment `json:"normalizedAlignment"`
	Error      any          `json:"error"`
	Message    string       `json:"message"`
}

func (m *wsMessage) words() []timed {
	if m.Alignment != nil && len(m.Alignment.Chars) > 0 {
		return m.Alignment.chars()
	}
	return m.Normalized.chars()
}

// socketPath builds the stream-input address with the request's query
// parameters. Continuity text has no place on the socket and is dropped.
func socketPath(pr *prepared) string {
	q := url.Values{}
	q.Set("model_id", pr.body.ModelID)
	q.Set("output_format", pr.outputFormat)
	q.Set("auto_mode", "true") // the whole text comes at once: no chunk schedule
	if pr.timestamps {
		q.Set("sync_alignment", "true")
	}
	if pr.body.LanguageCode != "" {
		q.Set("language_code", pr.body.LanguageCode)
	}
	if pr.body.ApplyTextNormalization != "" {
		q.Set("apply_text_normalization", pr.body.ApplyTextNormalization)
	}
	if strings.Contains(pr.body.Text, "<phoneme ") {
		q.Set("enable_ssml_parsing", "true") // phoneme tags from the lexicon
	}
	if pr.body.Seed != nil {
		q.Set("seed", strconv.FormatInt(*pr.body.Seed, 10))
	}
	return "/v1/text-to-speech/" + url.PathEscape(pr.req.Voice) + "/stream-input?" + q.Encode()
}

// socket runs one synthesis over stream-input: init, the text with flush,
// the empty end message; then audio messages until isFinal.
func (p *Provider) socket(ctx context.Context, pr *prepared, enc audio.Encoding) (*httpx.Response, *wordStream, error) {
	var ws *wordStream
	session := func(ctx context.Context, conn *websocket.Conn) (func() ([]byte, error), error) {
		ws = newWordStream()
		w := ws
		for _, m := range []any{wsInit{Text: " ", VoiceSettings: pr.body.VoiceSettings}, wsText{Text: pr.body.Text + " ", Flush: true}, wsText{}} {
			b, _ := json.Marshal(m)
			if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
				w.finish()
				return nil, err
			}
		}
		started, final := false, false
		return func() ([]byte, error) {
			chunk, err := p.next(ctx, conn, w, &started, &final)
			if err != nil {
				w.finish()
			}
			return chunk, err
		}, nil
	}
	resp, err := p.Client.WebSocket(ctx, httpx.Request{Path: socketPath(pr)}, enc, session)
	if err != nil {
		if ws != nil {
			ws.finish()
		}
		return nil, nil, err
	}
	return resp, ws, nil
}

// next reads one server message and returns its audio.
func (p *Provider) next(ctx context.Context, conn *websocket.Conn, w *wordStream, started, final *bool) ([]byte, error) {
	if *final {
		return nil, io.EOF
	}
	_, data, err := conn.Read(ctx)
	if err != nil {
		if e := p.Client.CloseError(err, nil); e != nil {
			return nil, e
		}
		if websocket.CloseStatus(err) == websocket.StatusNormalClosure {
			if !*started {
				return nil, io.EOF // closed without audio: httpx reports the empty answer
			}
			return nil, errors.New("ElevenLabs closed the connection before the last chunk")
		}
		return nil, err
	}
	var m wsMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("unreadable message %.40q: %v", data, err)
	}
	if m.Error != nil || (m.Message != "" && m.Audio == nil && m.IsFinal == nil) {
		code, text := ParseError(data)
		e := p.Client.NewError(providers.KindServer, 0, code, text)
		if h, ok := codeHints[code]; ok {
			e.Kind, e.Hint = h.kind, h.hint
		}
		return nil, e
	}
	w.add(m.words())
	var chunk []byte
	if m.Audio != nil && *m.Audio != "" {
		chunk, err = base64.StdEncoding.DecodeString(*m.Audio)
		if err != nil {
			return nil, fmt.Errorf("bad base64 audio in a message: %v", err)
		}
		*started = true
	}
	if m.IsFinal != nil && *m.IsFinal {
		*final = true
		if len(chunk) == 0 {
			return nil, io.EOF
		}
	}
	return chunk, nil
}
