// Package realkeychain holds the integration test of package keys against a
// real Secret Service (gnome-keyring under D-Bus). It has no code of its own;
// it is a separate package so that no keyring.MockInit from the unit tests
// can replace the real keychain. The test runs only with CHORUS_TEST_REAL=1.
package realkeychain
