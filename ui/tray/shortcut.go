package tray

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// DefaultShortcut is the global shortcut that speaks the selection.
const DefaultShortcut = "Ctrl+Alt+S"

// ErrNoShortcut means this desktop offers Chorus no global shortcut.
var ErrNoShortcut = errors.New("this desktop does not let Chorus register a global shortcut")

// NoShortcutAdvice is what Settings shows when the shortcut is unavailable.
const NoShortcutAdvice = "This desktop does not let Chorus register a global shortcut. " +
	"Bind the command chorus speak --selection to a key in the desktop's own keyboard settings instead."

// Shortcut is a key with modifiers, e.g. Ctrl+Alt+S.
type Shortcut struct {
	Ctrl, Alt, Shift, Super bool
	Key                     string // "A"–"Z", "0"–"9" or "F1"–"F12"
}

// String writes the shortcut the way ParseShortcut reads it: "Ctrl+Alt+S".
func (s Shortcut) String() string {
	var parts []string
	for _, m := range []struct {
		on   bool
		name string
	}{{s.Ctrl, "Ctrl"}, {s.Alt, "Alt"}, {s.Shift, "Shift"}, {s.Super, "Super"}} {
		if m.on {
			parts = append(parts, m.name)
		}
	}
	return strings.Join(append(parts, s.Key), "+")
}

// ParseShortcut reads a shortcut such as "Ctrl+Alt+S", "ctrl+shift+f8" or
// "Super+5": modifiers Ctrl, Alt, Shift and Super (at least one of Ctrl,
// Alt or Super, so that typing is never taken over), then one key: a
// letter, a digit or F1–F12.
func ParseShortcut(text string) (Shortcut, error) {
	var s Shortcut
	fields := strings.Split(strings.TrimSpace(text), "+")
	if len(fields) < 2 {
		return s, fmt.Errorf("%q is not a shortcut: write modifiers and a key, such as %s", text, DefaultShortcut)
	}
	for _, f := range fields[:len(fields)-1] {
		switch strings.ToLower(strings.TrimSpace(f)) {
		case "ctrl", "control":
			s.Ctrl = true
		case "alt":
			s.Alt = true
		case "shift":
			s.Shift = true
		case "super", "win", "meta":
			s.Super = true
		default:
			return s, fmt.Errorf("%q is not a modifier; use Ctrl, Alt, Shift or Super", strings.TrimSpace(f))
		}
	}
	if !s.Ctrl && !s.Alt && !s.Super {
		return s, fmt.Errorf("%q needs Ctrl, Alt or Super, or it would take over typing", text)
	}
	key := strings.ToUpper(strings.TrimSpace(fields[len(fields)-1]))
	if _, ok := keysymOf(key); !ok {
		return s, fmt.Errorf("%q is not a key Chorus can use; use a letter, a digit or F1 to F12", fields[len(fields)-1])
	}
	s.Key = key
	return s, nil
}

// keysymOf is the X keysym of a key name ParseShortcut accepts.
func keysymOf(key string) (uint32, bool) {
	if r := []rune(key); len(r) == 1 && r[0] < unicode.MaxASCII {
		switch {
		case r[0] >= 'A' && r[0] <= 'Z':
			return uint32(unicode.ToLower(r[0])), true
		case r[0] >= '0' && r[0] <= '9':
			return uint32(r[0]), true
		}
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(key, "F")); err == nil && strings.HasPrefix(key, "F") && n >= 1 && n <= 12 {
		return 0xffbe + uint32(n-1), true // XK_F1 …
	}
	return 0, false
}

// GrabShortcut calls pressed each time sc is pressed anywhere on the
// desktop, until ctx ends. It returns ErrNoShortcut (wrapped) when the
// desktop offers no way to grab it or another application holds it.
func GrabShortcut(ctx context.Context, sc Shortcut, pressed func()) error {
	return grab(ctx, sc, pressed)
}

// Hotkey is the one global shortcut of a running Chorus: it can be changed
// while Chorus runs (Settings → General), and says whether it works.
type Hotkey struct {
	pressed func()

	mu      sync.Mutex
	current Shortcut
	err     error // why the current shortcut does not work, or nil
	cancel  context.CancelFunc
}

// NewHotkey grabs spec (DefaultShortcut when spec is empty or unreadable)
// and calls pressed on every press. Err tells whether the grab worked.
func NewHotkey(spec string, pressed func()) *Hotkey {
	h := &Hotkey{pressed: pressed}
	sc, err := ParseShortcut(spec)
	if err != nil {
		sc, _ = ParseShortcut(DefaultShortcut)
	}
	h.current, h.err = sc, h.grab(sc)
	return h
}

// Set changes the shortcut to spec. A shortcut that cannot be read is
// refused and the old one stays. A shortcut that cannot be grabbed
// (another application holds it) is refused too and the old one is
// grabbed again, so the user is never left with none.
func (h *Hotkey) Set(spec string) error {
	sc, err := ParseShortcut(spec)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if sc == h.current && h.err == nil {
		return nil
	}
	if h.cancel != nil {
		h.cancel()
		h.cancel = nil
	}
	if err := h.grabLocked(sc); err != nil {
		h.err = h.grabLocked(h.current)
		return err
	}
	h.current, h.err = sc, nil
	return nil
}

// Current is the shortcut in force and, when it does not work, why.
func (h *Hotkey) Current() (Shortcut, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.current, h.err
}

// Close releases the grab.
func (h *Hotkey) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cancel != nil {
		h.cancel()
		h.cancel = nil
	}
}

func (h *Hotkey) grab(sc Shortcut) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.grabLocked(sc)
}

func (h *Hotkey) grabLocked(sc Shortcut) error {
	ctx, cancel := context.WithCancel(context.Background())
	if err := GrabShortcut(ctx, sc, h.pressed); err != nil {
		cancel()
		return err
	}
	h.cancel = cancel
	return nil
}
