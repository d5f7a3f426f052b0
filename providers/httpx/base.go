package httpx

import "chorus/providers"

// Base is what every provider built on Client shares: the Client it talks
// through and the fixed description it reports. A provider embeds it to get
// the Info and Capabilities methods of providers.Provider.
type Base struct {
	// Client sends the provider's requests.
	Client *Client
	info   providers.Info
	caps   providers.Capabilities
}

// NewBase builds the Client for the provider opt.Info describes (see New)
// and keeps opt.Info and caps for Info and Capabilities.
func NewBase(cfg providers.Config, opt Options, caps providers.Capabilities) (Base, error) {
	c, err := New(cfg, opt)
	if err != nil {
		return Base{}, err
	}
	return Base{Client: c, info: opt.Info, caps: caps}, nil
}

// Info describes the provider.
func (b *Base) Info() providers.Info { return b.info }

// Capabilities says what requests the provider takes.
func (b *Base) Capabilities() providers.Capabilities { return b.caps }
