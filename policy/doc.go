// Package policy reads the withdrawal policy from a TOML file, checks it,
// explains it in plain words, and turns it into a plan: which pending
// invitations to withdraw, in which order, and why. It does no I/O beyond
// reading the policy file.
package policy
