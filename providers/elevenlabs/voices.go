package elevenlabs

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"chorus/providers"
	"chorus/providers/httpx"
)

// maxPages bounds one listing: 100 voices a page, 2,000 in all.
const maxPages = 20

// voice is VoiceResponseModel, read leniently: only what Chorus shows.
type voice struct {
	VoiceID           string            `json:"voice_id"`
	Name              string            `json:"name"`
	Category          string            `json:"category"`
	Labels            map[string]string `json:"labels"`
	Description       *string           `json:"description"`
	PreviewURL        *string           `json:"preview_url"`
	VerifiedLanguages []struct {
		Language string `json:"language"`
	} `json:"verified_languages"`
}

// voicesPage is GetVoicesV2ResponseModel.
type voicesPage struct {
	Voices        []voice `json:"voices"`
	HasMore       bool    `json:"has_more"`
	NextPageToken *string `json:"next_page_token"`
}

// Voices lists the account's voices, premade, cloned and professional,
// from GET /v2/voices, following next_page_token. The model does not
// narrow the list.
func (p *Provider) Voices(ctx context.Context, model string) ([]providers.Voice, error) {
	return p.list(ctx, "")
}

// SearchVoices lists the voices whose name, description, labels or
// category match query (the service's own search).
func (p *Provider) SearchVoices(ctx context.Context, query, model string) ([]providers.Voice, error) {
	return p.list(ctx, strings.TrimSpace(query))
}

func (p *Provider) list(ctx context.Context, search string) ([]providers.Voice, error) {
	var out []providers.Voice
	token := ""
	for range maxPages {
		q := url.Values{}
		q.Set("page_size", "100")
		q.Set("include_total_count", "false")
		if search != "" {
			q.Set("search", search)
		}
		if token != "" {
			q.Set("next_page_token", token)
		}
		var page voicesPage
		if err := p.Client.JSON(ctx, httpx.Request{Path: "/v2/voices?" + q.Encode()}, &page); err != nil {
			return nil, err
		}
		for _, v := range page.Voices {
			if v.VoiceID != "" {
				out = append(out, v.toVoice())
			}
		}
		if !page.HasMore || page.NextPageToken == nil || *page.NextPageToken == "" {
			break
		}
		token = *page.NextPageToken
	}
	return out, nil
}

func (v voice) toVoice() providers.Voice {
	l := v.Labels
	out := providers.Voice{ID: v.VoiceID, Name: v.Name, Gender: strings.ToLower(l["gender"]), Accent: l["accent"],
		Language: l["language"]}
	if out.Language == "" && len(v.VerifiedLanguages) > 0 {
		out.Language = v.VerifiedLanguages[0].Language
	}
	if v.PreviewURL != nil {
		out.PreviewURL = *v.PreviewURL
	}
	var parts []string
	for _, s := range []string{v.Category, l["age"], firstNonEmpty(l["use_case"], l["use case"], l["descriptive"])} {
		if s != "" {
			parts = append(parts, strings.ReplaceAll(s, "_", " "))
		}
	}
	if v.Description != nil && *v.Description != "" {
		parts = append(parts, *v.Description)
	} else if d := l["description"]; d != "" {
		parts = append(parts, d)
	}
	out.Description = strings.Join(parts, "; ")
	return out
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// model is ModelResponseModel, only the fields Chorus uses.
type model struct {
	ModelID            string `json:"model_id"`
	Name               string `json:"name"`
	Description        string `json:"description"`
	CanDoTTS           bool   `json:"can_do_text_to_speech"`
	MaxTextLength      int    `json:"maximum_text_length_per_request"`
	MaxCharsSubscribed int    `json:"max_characters_request_subscribed_user"`
	Languages          []struct {
		LanguageID string `json:"language_id"`
	} `json:"languages"`
}

// Models lists the text-to-speech models of GET /v1/models, with their
// per-request limits (the built-in limit when the service gives none).
func (p *Provider) Models(ctx context.Context) ([]providers.Model, error) {
	var list []model
	if err := p.Client.JSON(ctx, httpx.Request{Path: "/v1/models"}, &list); err != nil {
		return nil, err
	}
	var out []providers.Model
	for _, m := range list {
		if !m.CanDoTTS || m.ModelID == "" {
			continue
		}
		limit := m.MaxTextLength
		if limit <= 0 {
			limit = m.MaxCharsSubscribed
		}
		if limit <= 0 {
			limit = caps.MaxCharsFor(m.ModelID)
		}
		desc := m.Description
		if n := len(m.Languages); n > 0 {
			desc = strings.TrimSpace(strconv.Itoa(n) + " languages. " + desc)
		}
		out = append(out, providers.Model{ID: m.ModelID, Name: m.Name, Description: desc, MaxChars: limit})
	}
	return out, nil
}
