package providers

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Factory builds a provider from its configuration.
type Factory func(Config) (Provider, error)

// Registration is a provider known to the registry: what it is, what it
// accepts, and how to build it. Pickers, help texts and the CLI read Info
// and Capabilities from here, without building a provider.
type Registration struct {
	Info
	// Capabilities are what the provider accepts with its default
	// configuration (a provider built with settings may narrow them, e.g.
	// a lower concurrency for the user's plan). The contract suite checks
	// that they match what a provider built with no configuration reports.
	Capabilities Capabilities
	New          Factory
	// Order sorts pickers; lower comes first. The local engine is 0.
	Order int
}

var (
	regMu    sync.RWMutex
	registry = map[string]Registration{}
)

// Register adds a provider. Backends call it from init; custom endpoint
// profiles call it at run time. Registering an ID twice replaces it.
func Register(r Registration) {
	if r.ID == "" || r.New == nil {
		panic("providers: Register needs an ID and a factory")
	}
	regMu.Lock()
	defer regMu.Unlock()
	registry[r.ID] = r
}

// Unregister removes a provider (used when a custom profile is deleted).
func Unregister(id string) {
	regMu.Lock()
	defer regMu.Unlock()
	delete(registry, id)
}

// Lookup finds a registered provider by ID.
func Lookup(id string) (Registration, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	r, ok := registry[id]
	return r, ok
}

// List returns every registered provider, in picker order.
func List() []Registration {
	regMu.RLock()
	out := make([]Registration, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	regMu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Order != out[j].Order {
			return out[i].Order < out[j].Order
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// IDs returns every registered provider ID, in picker order.
func IDs() []string {
	var ids []string
	for _, r := range List() {
		ids = append(ids, r.ID)
	}
	return ids
}

// Get looks up and builds a provider, with an error naming the known IDs.
func Get(id string, cfg Config) (Provider, error) {
	r, ok := Lookup(id)
	if !ok {
		return nil, Unknown(id)
	}
	return r.New(cfg)
}

// Unknown is the error for a provider ID nobody registered; it names the
// known ones.
func Unknown(id string) error {
	return &Error{Provider: id, Kind: KindValidation,
		Message: fmt.Sprintf("unknown provider %q", id),
		Hint:    "use one of: " + strings.Join(IDs(), ", ")}
}

// EnvName turns a provider ID into the prefix of its environment variables:
// upper case, with every character that is not a letter or digit as '_'.
func EnvName(id string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(id) {
		if (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
