package providers

import "context"

// Defaulter is implemented by providers whose defaults depend on other
// fields of the request (Voice.ai picks its model by language). Prepare
// applies it before the shared defaults.
type Defaulter interface {
	Defaults(req Request) Request
}

// Checker is implemented by providers with rules the Capabilities table
// cannot express: a sample rate that depends on the format, a voice the
// service requires, a field one model refuses. Prepare calls it after
// Validate, so it sees a normalized request within the capabilities.
type Checker interface {
	CheckRequest(req Request) error
}

// Prepare is the one place a request is completed and checked before a
// provider sees it: the provider's own defaults, the shared ones
// (Normalize), the capabilities (Validate), then the provider's own rules.
// Synthesize trusts what it is given; core prepares each job once.
func Prepare(p Provider, req Request) (Request, error) {
	if d, ok := p.(Defaulter); ok {
		req = d.Defaults(req)
	}
	caps := p.Capabilities()
	req = Normalize(req, caps)
	if err := Validate(p.Info().ID, req, caps); err != nil {
		return req, err
	}
	if c, ok := p.(Checker); ok {
		if err := c.CheckRequest(req); err != nil {
			return req, err
		}
	}
	return req, nil
}

// Checked wraps p so that every request goes through Prepare first, as it
// does in core. Tests and tools that call a provider directly use it.
func Checked(p Provider) Provider { return checked{p} }

type checked struct{ Provider }

func (c checked) Synthesize(ctx context.Context, req Request) (*Audio, error) {
	req, err := Prepare(c.Provider, req)
	if err != nil {
		return nil, err
	}
	return c.Provider.Synthesize(ctx, req)
}
