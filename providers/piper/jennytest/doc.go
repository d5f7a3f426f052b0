// Package jennytest tests the Piper engine and the voice installer on a real
// neural voice, Jenny (Dioco), en-GB medium. The 63 MB model is linked only
// into this package's test binary.
package jennytest
